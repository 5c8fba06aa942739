using OutlookFollowUp.Api.Pane;

namespace OutlookFollowUp.Api.Cli;

/// <summary>
/// <c>manifest [--host URL] [--client-id ID] [--resource URI] [--out FILE]</c>: writes the Outlook manifest for the pane
/// served at URL (default https://localhost:5001, for development), to FILE or standard output.
/// </summary>
public static class ManifestCommand
{
    private const string Usage = "usage: manifest [--host https://HOST] [--client-id GUID] [--resource api://...] [--out FILE]";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "manifest";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string host = Manifest.DevelopmentHost, clientId = Manifest.UnregisteredClientId;
        string? resource = null, output = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--host" when value is not null: host = value; i++; break;
                case "--client-id" when value is not null: clientId = value; i++; break;
                case "--resource" when value is not null: resource = value; i++; break;
                case "--out" when value is not null: output = value; i++; break;
                default:
                    stderr.WriteLine(Usage);
                    return PlanCommand.BadInput;
            }
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
        var xml = Manifest.Render(uri, clientId, resource);
        if (output is null) stdout.Write(xml);
        else
        {
            try
            {
                File.WriteAllText(output, xml);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"cannot write {output}: {e.Message}");
                return 1;
            }
            stderr.WriteLine($"wrote {output} for {uri.GetLeftPart(UriPartial.Authority)}");
        }
        return 0;
    }
}
