using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Plans;

public static class PlanEndpoints
{
    /// <summary>Scenarios are small: a process is a handful of events and messages.</summary>
    public const long MaxScenarioBytes = 1 << 20;

    public static IServiceCollection ConfigurePlanJson(this IServiceCollection services) =>
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = PlanJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.AllowTrailingCommas = true;
        });

    public static RouteGroupBuilder MapPlans(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/plans").WithTags("Plans")
            .RequireAuthorization(SignIn.SignInExtensions.PanePolicy).RequireRateLimiting(Guards.GuardExtensions.PerUser);
        group.MapPost("/preview", Preview).WithMetadata(new RequestSizeLimitAttribute(MaxScenarioBytes));
        return group;
    }

    /// <summary>The plan for a posted scenario; without "now", the plan is for this instant.</summary>
    public static Results<Ok<Plan>, ProblemHttpResult> Preview(PlanInput scenario, TimeProvider time, Spelling.Spelling spelling, Reading.Reading reading, CancellationToken ct)
    {
        var input = scenario.Now == default ? scenario with { Now = time.GetUtcNow() } : scenario;
        try
        {
            // The request's token: a client that goes away stops the work it asked for.
            return TypedResults.Ok(Planner.Build(input, spelling.Checker, ct, reading.Reader));
        }
        catch (PlanInputException e)
        {
            return TypedResults.Problem(title: "The scenario cannot be planned", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}
