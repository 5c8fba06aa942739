using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using OutlookFollowUp.Api.Cli;
using OutlookFollowUp.Api.Pane;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The unified manifest for Microsoft 365, validated offline by Microsoft's own validator (npm @microsoft/app-manifest,
/// which bundles the schemas; tests/run.sh installs it), and held to the XML manifest: one add-in, two formats.
/// </summary>
public sealed class UnifiedManifestTests
{
    private static readonly string Root = Report.FindRoot();
    private static AddinDescription Contoso => new(new Uri("https://followup.contoso.com"), "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c");

    /// <summary>Each file's problems as the validator words them; an empty list: valid.</summary>
    private static Dictionary<string, List<string>> Validate(params (string Name, string Json)[] manifests)
    {
        var modules = Path.Combine(Root, "tests", "browser", "node_modules");
        if (!Directory.Exists(Path.Combine(modules, "@microsoft", "app-manifest")))
            throw new DirectoryNotFoundException($"@microsoft/app-manifest is missing from {modules}: tests/run.sh installs tests/browser's npm packages");
        var dir = Directory.CreateTempSubdirectory("ofu-manifest-");
        try
        {
            var files = manifests.Select(m => (m.Name, Path: Path.Combine(dir.FullName, m.Name + ".json"))).ToList();
            foreach (var ((_, json), (_, path)) in manifests.Zip(files)) File.WriteAllText(path, json);
            var start = new ProcessStartInfo("node", [Path.Combine(Root, "tests", "manifest", "validate.cjs"), .. files.Select(f => f.Path)])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir.FullName,
                Environment = { ["OFU_NODE_MODULES"] = modules },
            };
            using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start (tests/run.sh installs npm, which brings it)");
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            if (!node.WaitForExit(120_000)) node.Kill();
            Assert.True(node.ExitCode == 0, $"the validator failed: {stderr.Result}");
            var found = JsonNode.Parse(stdout.Result)!.AsObject();
            return files.ToDictionary(f => f.Name, f => found[f.Path]!.AsArray().Select(p => (string)p!).ToList());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static JsonObject Changed(Action<JsonObject> change)
    {
        var doc = UnifiedManifest.Document(Manifest.Development);
        change(doc);
        return doc;
    }

    [Fact]
    public void TheCommittedUnifiedManifestIsWhatTheCommandWritesForLocalhost()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, ManifestCommand.Run(["manifest", "--format", "json"], stdout, new StringWriter()));
        Assert.Equal(stdout.ToString(), File.ReadAllText(Path.Combine(Root, "manifest.json")));
    }

    [Fact]
    public void BothUnifiedManifestsValidateAndTheBrokenOnesAreRefusedForWhatBreaksThem()
    {
        var found = Validate(
            ("committed", File.ReadAllText(Path.Combine(Root, "manifest.json"))),
            ("contoso", UnifiedManifest.Render(Contoso)),
            ("no-developer", Changed(d => d.Remove("developer")).ToJsonString()),
            ("invented-context", Changed(d => d["extensions"]![0]!["ribbons"]![0]!["contexts"]![0] = "mailReading").ToJsonString()),
            ("id-not-a-guid", Changed(d => d["id"] = "outlook-follow-up").ToJsonString()),
            ("invented-property", Changed(d => d["extensions"]![0]!["runtimes"]![0]!["autoSend"] = true).ToJsonString()));
        Assert.True(found["committed"].Count == 0, string.Join("\n", found["committed"]));
        Assert.True(found["contoso"].Count == 0, string.Join("\n", found["contoso"]));
        void Refused(string name, string pointer, string words) =>
            Assert.True(found[name].Any(p => p.StartsWith(pointer + " ", StringComparison.Ordinal) && p.Contains(words, StringComparison.Ordinal)),
                $"{name}: {string.Join("\n", found[name])}");
        Refused("no-developer", "", "must have required property 'developer'");
        Refused("invented-context", "/extensions/0/ribbons/0/contexts/0", "must be equal to one of the allowed values");
        Refused("id-not-a-guid", "/id", "must match pattern");
        Refused("invented-property", "/extensions/0/runtimes/0", "must NOT have additional properties");
    }

    [Fact]
    public void BothManifestsDescribeOneAddin()
    {
        var json = UnifiedManifest.Document(Contoso);
        var xml = XDocument.Parse(Manifest.Render(Contoso));
        XNamespace office = "http://schemas.microsoft.com/office/appforoffice/1.1";
        XNamespace xsi = "http://www.w3.org/2001/XMLSchema-instance";
        Assert.Equal(xml.Root!.Element(office + "Id")!.Value, (string?)json["id"]);
        Assert.StartsWith((string)json["version"]! + ".", xml.Root.Element(office + "Version")!.Value);
        Assert.Equal(xml.Root.Element(office + "DisplayName")!.Attribute("DefaultValue")!.Value, (string?)json["name"]!["short"]);
        Assert.Equal(xml.Root.Element(office + "Description")!.Attribute("DefaultValue")!.Value, (string?)json["description"]!["full"]);
        // The same surfaces: reading a message, a meeting attended, a meeting organized; pinnable on the same ones.
        var points = xml.Descendants().Where(e => e.Name.LocalName == "ExtensionPoint").ToDictionary(
            e => e.Attribute(xsi + "type")!.Value, e => e.Descendants().Any(d => d.Name.LocalName == "SupportsPinning"));
        var actions = json["extensions"]![0]!["runtimes"]![0]!["actions"]!.AsArray().ToDictionary(a => (string)a!["id"]!, a => (bool)a!["pinnable"]!);
        var contexts = json["extensions"]![0]!["ribbons"]!.AsArray().SelectMany(r => r!["contexts"]!.AsArray().Select(c =>
            (Context: (string)c!, Pinnable: actions[(string)r["tabs"]![0]!["groups"]![0]!["controls"]![0]!["actionId"]!]))).ToDictionary(c => c.Context, c => c.Pinnable);
        var pairs = new Dictionary<string, string>
        {
            ["MessageReadCommandSurface"] = "mailRead", ["AppointmentAttendeeCommandSurface"] = "meetingDetailsAttendee",
            ["AppointmentOrganizerCommandSurface"] = "meetingDetailsOrganizer",
        };
        Assert.Equal(pairs.Keys.Order(), points.Keys.Order());
        Assert.Equal(pairs.Values.Order(), contexts.Keys.Order());
        foreach (var (point, context) in pairs) Assert.Equal(points[point], contexts[context]);
        // The same button, icons and pane; the same smallest permission; the same app registration.
        var control = json["extensions"]![0]!["ribbons"]![0]!["tabs"]![0]!["groups"]![0]!["controls"]![0]!;
        Assert.Equal(AddinDescription.ButtonLabel, (string?)control["label"]);
        var xmlIcons = xml.Descendants().Where(e => e.Name.LocalName == "Image" && e.Attribute("DefaultValue") is not null).Select(e => e.Attribute("DefaultValue")!.Value).Order();
        Assert.Equal(xmlIcons, control["icons"]!.AsArray().Select(i => (string)i!["url"]!).Order());
        Assert.Equal(xml.Descendants().Single(e => e.Name.LocalName == "Url").Attribute("DefaultValue")!.Value, (string?)json["extensions"]![0]!["runtimes"]![0]!["code"]!["page"]);
        Assert.Equal("ReadItem", xml.Root.Element(office + "Permissions")!.Value);
        Assert.Equal(["MailboxItem.Read.User"], json["authorization"]!["permissions"]!["resourceSpecific"]!.AsArray().Select(p => (string)p!["name"]!));
        var info = xml.Descendants().Single(e => e.Name.LocalName == "WebApplicationInfo");
        Assert.Equal(info.Elements().Single(e => e.Name.LocalName == "Id").Value, (string?)json["webApplicationInfo"]!["id"]);
        Assert.Equal(info.Elements().Single(e => e.Name.LocalName == "Resource").Value, (string?)json["webApplicationInfo"]!["resource"]);
        // Nested app authentication: the broker redirect of this host, the API's own scope.
        var naa = json["webApplicationInfo"]!["nestedAppAuthInfo"]![0]!;
        Assert.Equal("brk-multihub://followup.contoso.com", (string?)naa["redirectUri"]);
        Assert.Equal(["api://followup.contoso.com/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c/access_as_user"], naa["scopes"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public void EveryUrlOfTheUnifiedManifestIsAFileThePaneServes()
    {
        var json = UnifiedManifest.Document(Contoso);
        var urls = json.ToJsonString().Split('"').Where(s => s.StartsWith("https://followup.contoso.com", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains("https://followup.contoso.com/pane/privacy.html", urls);
        Assert.Contains("https://followup.contoso.com/pane/terms.html", urls);
        foreach (var url in urls.Where(u => u.StartsWith("https://followup.contoso.com/pane/", StringComparison.Ordinal)))
        {
            var file = Path.Combine(Root, "addin", url["https://followup.contoso.com/pane/".Length..]);
            Assert.True(File.Exists(file), $"{url}: no {file}");
        }
        Assert.Equal(["followup.contoso.com"], json["validDomains"]!.AsArray().Select(d => (string)d!));
    }

    [Fact]
    public void TheCommandWritesBothManifestsAndTheAppPackageWithItsIcons()
    {
        var dir = Directory.CreateTempSubdirectory("ofu-package-");
        try
        {
            var stderr = new StringWriter();
            Assert.Equal(0, ManifestCommand.Run(["manifest", "--host", "https://followup.contoso.com", "--client-id", Contoso.ClientId, "--dir", dir.FullName], new StringWriter(), stderr));
            Assert.Equal(Manifest.Render(Contoso), File.ReadAllText(Path.Combine(dir.FullName, "manifest.xml")));
            var json = File.ReadAllText(Path.Combine(dir.FullName, "manifest.json"));
            Assert.Equal(UnifiedManifest.Render(Contoso), json);
            using var zip = ZipFile.OpenRead(Path.Combine(dir.FullName, ManifestCommand.PackageName));
            Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
            using (var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open())) Assert.Equal(json, reader.ReadToEnd());
            // Microsoft 365's sizes: a 192 px color icon, a 32 px outline in white on transparent.
            var color = Png.Read(zip.GetEntry("color.png")!);
            Assert.Equal((192, 192), (color.Width, color.Height));
            var outline = Png.Read(zip.GetEntry("outline.png")!);
            Assert.Equal((32, 32), (outline.Width, outline.Height));
            Assert.All(outline.Pixels(), p => Assert.True(p.A == 0 || (p.R, p.G, p.B) == (255, 255, 255), $"outline pixel {p}"));
            Assert.Contains(outline.Pixels(), p => p.A == 255);
            Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--format", "yaml")]
    [InlineData("--dir", null)]
    public void BadArgumentsGetOneLineAndExitTwo(string option, string? value)
    {
        var stderr = new StringWriter();
        string[] args = value is null ? ["manifest", "--out", "x.xml", option, "somewhere"] : ["manifest", option, value];
        Assert.Equal(2, ManifestCommand.Run(args, new StringWriter(), stderr));
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A PNG of 8-bit RGBA rows (the app package's icons), read far enough to check sizes and colours.</summary>
    private sealed record Png(int Width, int Height, byte[] Rows)
    {
        public static Png Read(ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            int width = 0, height = 0;
            var idat = new MemoryStream();
            for (var pos = 8; pos < bytes.Length;)
            {
                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
                var type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
                var data = bytes.AsSpan(pos + 8, length);
                if (type == "IHDR")
                {
                    (width, height) = (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]));
                    Assert.Equal(8, data[8]); // bit depth
                    Assert.Equal(6, data[9]); // RGBA
                }
                if (type == "IDAT") idat.Write(data);
                pos += 12 + length;
            }
            idat.Position = 0;
            using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
            using var rows = new MemoryStream();
            inflate.CopyTo(rows);
            return new Png(width, height, rows.ToArray());
        }

        public IEnumerable<(byte R, byte G, byte B, byte A)> Pixels()
        {
            var stride = Width * 4 + 1;
            for (var y = 0; y < Height; y++)
            {
                Assert.Equal(0, Rows[y * stride]); // unfiltered rows, as the icons are written
                for (var x = 0; x < Width; x++)
                {
                    var i = y * stride + 1 + x * 4;
                    yield return (Rows[i], Rows[i + 1], Rows[i + 2], Rows[i + 3]);
                }
            }
        }
    }
}
