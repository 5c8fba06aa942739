using OutlookFollowUp.Api.Cli;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Demo;
using OutlookFollowUp.Api.Guards;
using OutlookFollowUp.Api.Notifications;
using OutlookFollowUp.Api.Pane;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Api.Plans;
using OutlookFollowUp.Api.Problems;
using OutlookFollowUp.Api.Processes;
using OutlookFollowUp.Api.Reading;
using OutlookFollowUp.Api.Settings;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Api.Spelling;
using OutlookFollowUp.Api.Sweep;

// Verbs: `plan FILE` prints the engine's plan for a scenario (no host); `manifest` writes the Outlook manifest;
// `sweep --once` runs one pass of the sweep; `reader train|score` trains and measures the mail reader.
if (PlanCommand.Handles(args))
    return PlanCommand.Run(args, Console.In, Console.Out, Console.Error);
if (ManifestCommand.Handles(args))
    return ManifestCommand.Run(args, Console.Out, Console.Error);
if (ReaderCommand.Handles(args))
    return ReaderCommand.Run(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
DateTimeOffset? sweepAt = null;
var sweepOnce = SweepCommand.Handles(args);
if (sweepOnce)
{
    (sweepAt, args, var error) = SweepCommand.Parse(args);
    if (error is not null)
    {
        Console.Error.WriteLine(error);
        return PlanCommand.BadInput;
    }
}

// Settings files sit beside the binary; relative paths given to verbs stay relative to where the user is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
ServiceMode mode;
try
{
    mode = builder.AddSignIn();
    builder.Services.AddAppData(builder.Configuration, builder.Environment);
}
catch (StartupProblem e)
{
    Console.Error.WriteLine($"OutlookFollowUp cannot start: {e.Message}");
    return 1;
}
builder.AddDemo(mode);
builder.Services.AddProblemHandling();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSpelling();
builder.Services.AddReading();
builder.Services.AddUserPlans();
builder.Services.ConfigurePlanJson();
builder.Services.AddSweep(builder.Configuration);
builder.Services.AddNotifications(builder.Configuration);
builder.Services.AddGuards(builder.Configuration, builder.Environment);
builder.Services.AddOpenApi();

var app = builder.Build();
app.ForgetLastDemo(mode);
try
{
    await app.Services.MigrateDatabaseAsync();
}
catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or System.Data.Common.DbException or InvalidOperationException)
{
    // An operator's mistake (a bad setting, a database that is not there): one line that says which, no stack trace.
    Console.Error.WriteLine($"OutlookFollowUp cannot start: {e.Message}");
    return 1;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDemoHosts(mode);
app.UseGuards();

app.MapHealth();
// The API's description is for developers: public outside Production, and in Production only when asked for.
if (!app.Environment.IsProduction() || app.Configuration.GetValue<bool>("OpenApi:Enabled")) app.MapOpenApi();
app.MapPlans();
app.MapProcesses();
app.MapSettings();
app.MapNotifications();
app.MapPane(mode);
if (mode.Demo) await app.UseDemoAsync(mode);
else app.MapSamplePage();

try
{
    if (sweepOnce) return await SweepCommand.RunAsync(app, sweepAt, Console.Out, Console.Error);
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    Console.Error.WriteLine($"OutlookFollowUp cannot start: {e.Message}");
    return 1;
}

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
