using OutlookFollowUp.Api.Cli;
using OutlookFollowUp.Api.Demo;
using OutlookFollowUp.Api.Plans;
using OutlookFollowUp.Api.Problems;
using OutlookFollowUp.Api.Spelling;

// Verbs run without the web host: `plan FILE` prints the engine's plan for a scenario.
if (PlanCommand.Handles(args))
    return PlanCommand.Run(args, Console.In, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemHandling();
builder.Services.AddHealthChecks();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSpelling();
builder.Services.ConfigurePlanJson();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapHealthChecks("/healthz");
app.MapPlans();
app.MapDemo();

app.Run();
return 0;

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
