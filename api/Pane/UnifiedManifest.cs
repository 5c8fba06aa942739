using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.Api.Pane;

/// <summary>
/// The unified manifest for Microsoft 365 (JSON, the format Microsoft recommends for new Outlook add-ins): the same
/// add-in as <see cref="Manifest"/>, rendered from the same <see cref="AddinDescription"/>, and the app package
/// (manifest.json with its two icons in a zip) that Microsoft 365 and the Teams admin center install.
/// </summary>
public static class UnifiedManifest
{
    /// <summary>The newest schema that @microsoft/app-manifest 1.1.2 (the offline validator of the tests) bundles.</summary>
    public const string SchemaVersion = "1.30";

    public const string SchemaUrl = $"https://developer.microsoft.com/json-schemas/teams/v{SchemaVersion}/MicrosoftTeams.schema.json";

    private const string Runtime = "TaskPaneRuntime";
    private const string Pinned = "ShowTaskPane", Unpinned = "ShowTaskPaneUnpinned";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Text is written as it reads ("doesn't", "—"); it is JSON, never inserted into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Render(AddinDescription addin) => Document(addin).ToJsonString(Indented) + "\n";

    public static JsonObject Document(AddinDescription addin)
    {
        JsonArray Icons() => [.. AddinDescription.ButtonIconSizes.Select(s => new JsonObject { ["size"] = s, ["url"] = addin.Icon(s) })];
        JsonArray Mailbox() => [new JsonObject { ["name"] = "Mailbox", ["minVersion"] = AddinDescription.MailboxMinVersion }];
        // One ribbon per pinning: Outlook takes pinnable from the action, and the organizer's (compose) form has none.
        var ribbons = new JsonArray();
        foreach (var pinnable in new[] { true, false })
        {
            var surfaces = AddinDescription.Surfaces.Where(s => s.Pinnable == pinnable).ToList();
            if (surfaces.Count == 0) continue;
            var name = string.Join("", surfaces.Select(s => s.Name));
            ribbons.Add(new JsonObject
            {
                ["contexts"] = new JsonArray([.. surfaces.Select(s => (JsonNode)s.UnifiedContext)]),
                ["tabs"] = new JsonArray(new JsonObject
                {
                    ["builtInTabId"] = "TabDefault",
                    ["groups"] = new JsonArray(new JsonObject
                    {
                        ["id"] = $"Group.{name}",
                        ["label"] = AddinDescription.Name,
                        ["icons"] = Icons(),
                        ["controls"] = new JsonArray(new JsonObject
                        {
                            ["id"] = $"Button.{name}",
                            ["type"] = "button",
                            ["label"] = AddinDescription.ButtonLabel,
                            ["icons"] = Icons(),
                            ["supertip"] = new JsonObject { ["title"] = AddinDescription.ButtonLabel, ["description"] = AddinDescription.ButtonTooltip },
                            ["actionId"] = pinnable ? Pinned : Unpinned,
                        }),
                    }),
                }),
            });
        }
        return new JsonObject
        {
            ["$schema"] = SchemaUrl,
            ["manifestVersion"] = SchemaVersion,
            ["version"] = AddinDescription.Version,
            ["id"] = AddinDescription.Id,
            ["localizationInfo"] = new JsonObject { ["defaultLanguageTag"] = "en-us" },
            ["developer"] = new JsonObject
            {
                ["name"] = AddinDescription.Name,
                ["websiteUrl"] = addin.SupportUrl,
                ["privacyUrl"] = addin.PrivacyUrl,
                ["termsOfUseUrl"] = addin.TermsUrl,
            },
            ["name"] = new JsonObject { ["short"] = AddinDescription.Name, ["full"] = AddinDescription.FullName },
            ["description"] = new JsonObject { ["short"] = AddinDescription.ShortDescription, ["full"] = AddinDescription.LongDescription },
            ["icons"] = new JsonObject { ["outline"] = AddinDescription.OutlineIcon, ["color"] = AddinDescription.ColorIcon },
            ["accentColor"] = AddinDescription.AccentColor,
            ["validDomains"] = new JsonArray(addin.Host.Authority),
            ["webApplicationInfo"] = new JsonObject
            {
                ["id"] = addin.ClientId,
                ["resource"] = addin.ApplicationIdUri,
                // Lets the host fetch the pane's token before the pane asks for it; the scopes in the order the pane asks.
                ["nestedAppAuthInfo"] = new JsonArray(new JsonObject
                {
                    ["redirectUri"] = addin.NestedAppRedirect,
                    ["scopes"] = new JsonArray($"{addin.ApplicationIdUri}/{AddinDescription.Scope}"),
                }),
            },
            ["authorization"] = new JsonObject
            {
                ["permissions"] = new JsonObject
                {
                    ["resourceSpecific"] = new JsonArray(new JsonObject { ["name"] = AddinDescription.UnifiedPermission, ["type"] = "Delegated" }),
                },
            },
            ["extensions"] = new JsonArray(new JsonObject
            {
                ["requirements"] = new JsonObject { ["scopes"] = new JsonArray("mail"), ["capabilities"] = Mailbox() },
                ["runtimes"] = new JsonArray(new JsonObject
                {
                    ["requirements"] = new JsonObject { ["capabilities"] = Mailbox() },
                    ["id"] = Runtime,
                    ["type"] = "general",
                    ["code"] = new JsonObject { ["page"] = addin.TaskPane },
                    ["lifetime"] = "short",
                    ["actions"] = new JsonArray(
                        new JsonObject { ["id"] = Pinned, ["type"] = "openPage", ["pinnable"] = true },
                        new JsonObject { ["id"] = Unpinned, ["type"] = "openPage", ["pinnable"] = false }),
                }),
                ["ribbons"] = ribbons,
            }),
        };
    }

    /// <summary>
    /// The app package: manifest.json and the two icons it names, at the zip's root, as the Teams admin center and
    /// "Upload a custom app" take it. Fixed timestamps, so the same description gives the same bytes.
    /// </summary>
    public static void WritePackage(AddinDescription addin, string assets, Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var when = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        void Add(string name, byte[] bytes)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = when;
            using var stream = entry.Open();
            stream.Write(bytes);
        }
        Add("manifest.json", System.Text.Encoding.UTF8.GetBytes(Render(addin)));
        foreach (var icon in new[] { AddinDescription.ColorIcon, AddinDescription.OutlineIcon })
            Add(icon, File.ReadAllBytes(Path.Combine(assets, icon)));
    }
}
