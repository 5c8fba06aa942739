using OutlookFollowUp.Api.Pane;

namespace OutlookFollowUp.Api.Cli;

/// <summary>
/// <c>manifest [--host URL] [--client-id ID] [--resource URI] [--format xml|json] [--out FILE | --dir DIR]</c>: writes
/// the add-in's manifests for the pane served at URL (default https://localhost:5001, for development). One manifest
/// to standard output or FILE; with <c>--dir</c>, both (manifest.xml, manifest.json) and the unified manifest's app
/// package (outlookfollowup.zip), all from one description of the add-in.
/// </summary>
public static class ManifestCommand
{
    private const string Usage = "usage: manifest [--host https://HOST] [--client-id GUID] [--resource api://...] [--format xml|json] [--out FILE | --dir DIR]";

    /// <summary>The app package's file name, beside the two manifests.</summary>
    public const string PackageName = "outlookfollowup.zip";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "manifest";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string host = Manifest.DevelopmentHost, clientId = Manifest.UnregisteredClientId, format = "xml";
        string? resource = null, output = null, directory = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--host" when value is not null: host = value; i++; break;
                case "--client-id" when value is not null: clientId = value; i++; break;
                case "--resource" when value is not null: resource = value; i++; break;
                case "--format" when value is "xml" or "json": format = value; i++; break;
                case "--out" when value is not null: output = value; i++; break;
                case "--dir" when value is not null: directory = value; i++; break;
                default:
                    stderr.WriteLine(Usage);
                    return PlanCommand.BadInput;
            }
        }
        if (directory is not null && output is not null)
        {
            stderr.WriteLine("--out writes one manifest and --dir writes both: give one of them");
            return PlanCommand.BadInput;
        }
        // Outlook loads add-ins over https only; http is allowed for nothing but a loopback host under test.
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            stderr.WriteLine($"--host '{host}' is not an https:// URL (Outlook loads add-ins over https only)");
            return PlanCommand.BadInput;
        }
        if (!Guid.TryParse(clientId, out _))
        {
            stderr.WriteLine($"--client-id '{clientId}' is not an app registration's client id (a GUID)");
            return PlanCommand.BadInput;
        }
        var addin = new AddinDescription(uri, clientId, resource);
        try
        {
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "manifest.xml"), Manifest.Render(addin));
                File.WriteAllText(Path.Combine(directory, "manifest.json"), UnifiedManifest.Render(addin));
                using (var zip = File.Create(Path.Combine(directory, PackageName)))
                    UnifiedManifest.WritePackage(addin, Path.Combine(AppContext.BaseDirectory, "addin", "assets"), zip);
                stderr.WriteLine($"wrote manifest.xml, manifest.json and {PackageName} in {directory} for {addin.Origin}");
                return 0;
            }
            var text = format == "json" ? UnifiedManifest.Render(addin) : Manifest.Render(addin);
            if (output is null) stdout.Write(text);
            else
            {
                File.WriteAllText(output, text);
                stderr.WriteLine($"wrote {output} for {addin.Origin}");
            }
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"cannot write {directory ?? output}: {e.Message}");
            return 1;
        }
    }
}
