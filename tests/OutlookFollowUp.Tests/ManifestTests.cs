using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using OutlookFollowUp.Api.Cli;
using OutlookFollowUp.Api.Pane;

namespace OutlookFollowUp.Tests;

/// <summary>The Outlook manifest, held to Microsoft's official schemas (../shared/schemas/office-addin-manifest).</summary>
public sealed class ManifestTests
{
    private static readonly string Root = Report.FindRoot();
    private static readonly string Schemas = Path.Combine(Path.GetDirectoryName(Root)!, "shared", "schemas", "office-addin-manifest");

    private static List<string> Validate(string xml)
    {
        if (!Directory.Exists(Schemas))
            throw new DirectoryNotFoundException($"Microsoft's manifest schemas are expected at {Schemas}: the project's machines and CI keep shared/ beside the repository.");
        var set = new XmlSchemaSet();
        foreach (var file in Directory.GetFiles(Schemas, "*.xsd"))
        {
            using var reader = XmlReader.Create(file);
            set.Add(null, reader);
        }
        set.Compile();
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
        // Without this, an element no schema knows is only a warning, and a manifest of nonsense "validates".
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} line {e.Exception.LineNumber}: {e.Message}");
        using var validating = XmlReader.Create(new StringReader(xml), settings);
        while (validating.Read()) { }
        return problems;
    }

    [Fact]
    public void TheCommittedManifestValidatesAgainstTheOfficialSchemas()
    {
        var problems = Validate(File.ReadAllText(Path.Combine(Root, "manifest.xml")));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheCommittedManifestIsWhatTheCommandWritesForLocalhost()
    {
        var committed = File.ReadAllText(Path.Combine(Root, "manifest.xml"));
        Assert.Equal(Manifest.Render(new Uri(Manifest.DevelopmentHost), Manifest.UnregisteredClientId), committed);
    }

    [Fact]
    public void AManifestForAnotherHostValidatesAndNamesOnlyThatHost()
    {
        var xml = Manifest.Render(new Uri("https://followup.contoso.com"), "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c");
        Assert.Empty(Validate(xml));
        var urls = XDocument.Parse(xml).Descendants().SelectMany(e => e.Attributes("DefaultValue").Select(a => a.Value).Append(e.Value))
            .Where(v => v.StartsWith("https://", StringComparison.Ordinal) && !v.Contains('\n')).ToList();
        Assert.NotEmpty(urls);
        Assert.All(urls, u => Assert.True(u.StartsWith("https://followup.contoso.com", StringComparison.Ordinal) || u == "https://login.microsoftonline.com", u));
        Assert.Contains("<Resource>api://followup.contoso.com/3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c</Resource>", xml);
    }

    [Fact]
    public void TheSchemaCheckRejectsAManifestThatBreaksIt()
    {
        var xml = Manifest.Render(new Uri(Manifest.DevelopmentHost), Manifest.UnregisteredClientId).Replace("<Permissions>ReadItem</Permissions>", "<Permissions>EverythingPlease</Permissions>");
        Assert.NotEmpty(Validate(xml));
    }

    [Fact]
    public void ThePaneOpensOnMessagesAndOnAppointmentsAttendedAndOrganizedWithTheSmallestPermission()
    {
        var xml = File.ReadAllText(Path.Combine(Root, "manifest.xml"));
        foreach (var surface in new[] { "MessageReadCommandSurface", "AppointmentAttendeeCommandSurface", "AppointmentOrganizerCommandSurface" })
            Assert.Contains($"xsi:type=\"{surface}\"", xml);
        Assert.Contains("<Permissions>ReadItem</Permissions>", xml);
        Assert.Contains("<SupportsPinning>true</SupportsPinning>", xml);
        foreach (var size in new[] { 16, 32, 64, 80, 128 })
        {
            Assert.Contains($"/pane/assets/icon-{size}.png", xml);
            Assert.True(File.Exists(Path.Combine(Root, "addin", "assets", $"icon-{size}.png")), $"icon-{size}.png is missing");
        }
    }

    [Theory]
    [InlineData("--host", "http://followup.contoso.com")]
    [InlineData("--host", "not a url")]
    [InlineData("--client-id", "my-app")]
    [InlineData("--colour", "blue")]
    public void BadArgumentsGetOneLineAndExitTwo(string option, string value)
    {
        var stderr = new StringWriter();
        Assert.Equal(2, ManifestCommand.Run(["manifest", option, value], new StringWriter(), stderr));
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
