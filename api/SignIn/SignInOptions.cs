namespace OutlookFollowUp.Api.SignIn;

/// <summary>
/// The app registration in Microsoft Entra ID. Section <c>Entra</c>. With these set, the service runs against real
/// Microsoft 365; in Production it refuses to start without them.
/// </summary>
public sealed class EntraOptions
{
    /// <summary>The cloud's sign-in host.</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>The tenant id; <c>organizations</c> or <c>common</c> for a multi-tenant app.</summary>
    public string? TenantId { get; set; }

    /// <summary>The API's application (client) id.</summary>
    public string? ClientId { get; set; }

    /// <summary>The credential the API uses for on-behalf-of.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The API's Application ID URI, which the pane's tokens are issued for (<c>api://host/client-id</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>The delegated scope the add-in asks for.</summary>
    public string Scope { get; set; } = "access_as_user";

    /// <summary>For a multi-tenant app: the tenants allowed to sign in; empty allows any.</summary>
    public string[] AllowedTenants { get; set; } = [];

    /// <summary>Graph scopes asked for on the user's behalf: the permissions the app registration was granted.</summary>
    public string[] GraphScopes { get; set; } = ["https://graph.microsoft.com/.default"];

    internal bool IsConfigured => !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId)
                                  || !string.IsNullOrWhiteSpace(ClientSecret) || !string.IsNullOrWhiteSpace(Audience);

    internal bool IsMultiTenant => TenantId is "organizations" or "common";

    internal string Authority => Instance.TrimEnd('/') + "/" + TenantId;

    internal IReadOnlyList<string> Missing() =>
        new[] { (nameof(TenantId), TenantId), (nameof(ClientId), ClientId), (nameof(ClientSecret), ClientSecret), (nameof(Audience), Audience) }
            .Where(x => string.IsNullOrWhiteSpace(x.Item2)).Select(x => "Entra:" + x.Item1).ToList();
}

/// <summary>
/// Signs tokens for the service itself, outside Production only: the demo's sign-in and tests. Section
/// <c>LocalIssuer</c>.
/// </summary>
public sealed class LocalIssuerOptions
{
    public string Issuer { get; set; } = "https://outlookfollowup.local/";
    public string Audience { get; set; } = "api://outlookfollowup.local";
    /// <summary>Base64, at least 32 bytes. Empty: a new random key at each start (the demo's).</summary>
    public string? SigningKey { get; set; }
}

/// <summary>Where the mailboxes are. Section <c>Graph</c>.</summary>
public sealed class GraphOptions
{
    /// <summary>Graph's base URL. Outside Production, empty means the built-in sandbox with the demo mailbox.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// <c>obo</c>: on-behalf-of through Entra ID (the default with Entra settings). <c>sandbox</c>: the sandbox's own
    /// tokens, never in Production (the default without Entra settings).
    /// </summary>
    public string? Tokens { get; set; }
}
