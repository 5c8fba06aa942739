using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Tests;

/// <summary>What the service runs as, decided at start-up; and what it refuses to run as.</summary>
public class StartupTests
{
    private static ServiceMode Mode(string environment, params (string, string)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Item1, (string?)s.Item2))).Build();
        return ServiceMode.From(configuration, new Env(environment));
    }

    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "test";
        public string ContentRootPath { get; set; } = ".";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    [Fact]
    public void WithoutAnySettingsOutsideProductionItIsTheDemo()
    {
        var mode = Mode("Development");
        Assert.True(mode.Demo);
        Assert.True(mode.SandboxTokens);
    }

    [Fact]
    public void ProductionWithoutEntraSettingsNamesWhatIsMissing()
    {
        var e = Assert.Throws<StartupProblem>(() => Mode("Production"));
        Assert.Contains("Entra:TenantId", e.Message);
        Assert.Contains("Entra:Audience", e.Message);
    }

    [Fact]
    public void ProductionNeverServesTheSandboxOrItsTokens()
    {
        (string, string)[] entra = [("Entra:TenantId", "t"), ("Entra:ClientId", "c"), ("Entra:ClientSecret", "s"), ("Entra:Audience", "api://x/c")];
        var mode = Mode("Production", entra);
        Assert.False(mode.Demo);
        Assert.False(mode.SandboxTokens);
        Assert.Equal("https://graph.microsoft.com/v1.0", mode.GraphBaseUrl!.ToString().TrimEnd('/'));
        Assert.Throws<StartupProblem>(() => Mode("Production", [.. entra, ("Graph:Tokens", "sandbox")]));
    }

    [Theory]
    [InlineData("Staging")]
    [InlineData("Prod")]
    [InlineData("Testing")]
    public void AnEnvironmentThatIsNotDevelopmentGetsNoDemoUnlessItAsks(string environment)
    {
        var e = Assert.Throws<StartupProblem>(() => Mode(environment));
        Assert.Contains("Demo:Enabled=true", e.Message);
        Assert.True(Mode(environment, ("Demo:Enabled", "true")).Demo);
    }

    [Fact]
    public void TheDemoIsNeverAllowedInProductionAndCanBeTurnedOffInDevelopment()
    {
        (string, string)[] entra = [("Entra:TenantId", "t"), ("Entra:ClientId", "c"), ("Entra:ClientSecret", "s"), ("Entra:Audience", "api://x/c")];
        Assert.Throws<StartupProblem>(() => Mode("Production", [.. entra, ("Demo:Enabled", "true")]));
        Assert.Throws<StartupProblem>(() => Mode("Development", ("Demo:Enabled", "false")));
        Assert.False(Mode("Development", ("Demo:Enabled", "false"), ("Graph:BaseUrl", "http://127.0.0.1:9/v1.0")).Demo);
        Assert.Throws<StartupProblem>(() => Mode("Development", ("Demo:Enabled", "maybe")));
    }

    [Fact]
    public void HalfTheEntraSettingsIsAMistakeNotTheDemo()
    {
        var e = Assert.Throws<StartupProblem>(() => Mode("Development", ("Entra:TenantId", "t")));
        Assert.Contains("Entra:ClientSecret", e.Message);
    }

    [Fact]
    public async Task TheBuiltServiceRefusesToStartInProductionWithOneLine()
    {
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production" },
        };
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("OutlookFollowUp cannot start: Production needs Entra ID settings", stderr.Trim());
        Assert.DoesNotContain("   at ", stderr);
    }
}
