namespace OutlookFollowUp.Api.SignIn;

/// <summary>A configuration the service refuses to start with; the message says what to set.</summary>
public sealed class StartupProblem(string message) : Exception(message);

/// <summary>
/// How this instance runs, decided once at start-up from configuration and environment. With Entra settings: real
/// sign-in and on-behalf-of. Without them, outside Production only: a local issuer, the sandbox's tokens, and (with no
/// Graph URL either) the built-in sandbox with the demo mailbox.
/// </summary>
public sealed class ServiceMode
{
    public bool Entra { get; private init; }
    public bool SandboxTokens { get; private init; }
    /// <summary>The built-in sandbox and demo mailbox are served; never in Production.</summary>
    public bool Demo { get; private init; }
    /// <summary>Where Graph is; in demo mode, known once the server listens.</summary>
    public Uri? GraphBaseUrl { get; set; }

    public static ServiceMode From(IConfiguration configuration, IHostEnvironment environment)
    {
        var entra = configuration.GetSection("Entra").Get<EntraOptions>() ?? new EntraOptions();
        var graph = configuration.GetSection("Graph").Get<GraphOptions>() ?? new GraphOptions();
        var production = environment.IsProduction();
        var development = environment.IsDevelopment();
        var demoSetting = configuration["Demo:Enabled"];
        bool? demoAsked = string.IsNullOrWhiteSpace(demoSetting) ? null
            : bool.TryParse(demoSetting, out var asked) ? asked
            : throw new StartupProblem($"Demo:Enabled is '{demoSetting}': use true or false.");
        if (production && demoAsked == true) throw new StartupProblem("Demo:Enabled=true is not allowed in Production: the demo signs anyone in as its demo user.");
        if (entra.IsConfigured && entra.Missing() is { Count: > 0 } partly)
            throw new StartupProblem($"Entra ID settings are incomplete: set {string.Join(", ", partly)}.");
        if (production && !entra.IsConfigured)
            throw new StartupProblem("Production needs Entra ID settings: set Entra:TenantId, Entra:ClientId, Entra:ClientSecret and Entra:Audience "
                                     + "(as environment variables: Entra__TenantId and so on). The demo mailbox and demo sign-in run outside Production only.");
        // The demo (sign-in without a password, the sandbox's controls) runs in Development or when asked for by name,
        // never in an environment that merely is not called "Production" ("Prod", "Staging").
        if (!production && !development && !entra.IsConfigured && demoAsked != true && graph.Tokens != "sandbox")
            throw new StartupProblem($"The {environment.EnvironmentName} environment needs Entra ID settings (Entra:TenantId, Entra:ClientId, Entra:ClientSecret, Entra:Audience), "
                                     + "or Demo:Enabled=true for the demo mailbox. Only Development starts the demo by itself.");
        var tokens = graph.Tokens ?? (entra.IsConfigured ? "obo" : "sandbox");
        if (tokens is not ("obo" or "sandbox")) throw new StartupProblem($"Graph:Tokens is '{tokens}': use 'obo' or 'sandbox'.");
        if (production && tokens == "sandbox") throw new StartupProblem("Graph:Tokens=sandbox is not allowed in Production.");
        if (tokens == "obo" && !entra.IsConfigured) throw new StartupProblem("Graph:Tokens=obo needs the Entra settings (Entra:TenantId, Entra:ClientId, Entra:ClientSecret, Entra:Audience).");
        Uri? baseUrl = null;
        if (!string.IsNullOrWhiteSpace(graph.BaseUrl) && !Uri.TryCreate(graph.BaseUrl, UriKind.Absolute, out baseUrl))
            throw new StartupProblem($"Graph:BaseUrl '{graph.BaseUrl}' is not an absolute URL.");
        var demo = !production && !entra.IsConfigured && baseUrl is null && demoAsked != false && (development || demoAsked == true);
        if (!demo && !entra.IsConfigured && baseUrl is null && tokens == "sandbox")
            throw new StartupProblem("Demo:Enabled=false without Entra ID settings leaves nothing to sign in with: set the Entra settings, or Graph:BaseUrl for a sandbox.");
        if (baseUrl is null && !demo) baseUrl = new Uri("https://graph.microsoft.com/v1.0");
        return new ServiceMode { Entra = entra.IsConfigured, SandboxTokens = tokens == "sandbox", Demo = demo, GraphBaseUrl = baseUrl };
    }
}
