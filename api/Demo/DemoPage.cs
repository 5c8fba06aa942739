using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Demo;

/// <summary>
/// The page at "/". In the demo: the demo user's processes, as the sweep found them in the sandbox mailbox, with
/// each plan. Otherwise: the engine's plan for the sample scenario that ships with the service.
/// </summary>
public static class DemoPage
{
    public static RouteHandlerBuilder MapSamplePage(this IEndpointRouteBuilder app) => app.MapGet("/", Sample).ExcludeFromDescription();

    public static Results<ContentHttpResult, ProblemHttpResult> Sample(HttpContext http, Spelling.Spelling spelling, Reading.Reading reading)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "samples", "scenario.json");
        Plan plan;
        try
        {
            plan = Planner.Build(PlanJson.ReadScenario(File.ReadAllText(path)), spelling.Checker, http.RequestAborted, reading.Reader);
        }
        catch (Exception e) when (e is IOException or PlanInputException)
        {
            return TypedResults.Problem(title: "The sample scenario is unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return Html(http, Page("The plan for the sample interview process (<code>api/samples/scenario.json</code>).", [plan]));
    }

    public static async Task<ContentHttpResult> Show(HttpContext http, Data.AppDb db, Planning.UserPlans userPlans, SignIn.IMailboxes mailboxes, TimeProvider time, CancellationToken ct)
    {
        var plans = await DemoMode.PlanDemoUserAsync(db, userPlans, mailboxes, time, ct);
        var intro = plans.Count == 0
            ? "The first sweep is reading the demo mailbox: refresh in a moment."
            : "The demo mailbox of Alex Rivera (a sandbox, served by this server), as the sweep found it. Drafts it wrote are in the sandbox's Drafts folder; "
              + "the same plans as JSON: <a href=\"/demo/processes\">/demo/processes</a>; the task pane, outside Outlook: "
              + "<a href=\"/pane/taskpane.html\">/pane/taskpane.html</a>.";
        return Html(http, Page(intro, plans.Where(p => p.Plan.Process.State != ProcessState.NotInterview).Select(p => p.Plan).ToList()));
    }

    private const string Style = "body{font-family:'Segoe UI',system-ui,sans-serif;margin:2rem;max-width:60rem;color:#242424}"
        + "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e0e0e0;padding:.4rem;text-align:left;vertical-align:top}"
        + ".s{font-weight:600}";

    /// <summary>
    /// The page's policy: nothing but its own style element (by hash), no script at all, links only. What the page
    /// shows comes from mail (subjects, names), so even a slip in its escaping could not run anything.
    /// </summary>
    public static readonly string Policy = "default-src 'none'; style-src 'sha256-"
        + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Style)))
        + "'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page as HTML, under its policy.</summary>
    private static ContentHttpResult Html(HttpContext http, string page)
    {
        http.Response.Headers.ContentSecurityPolicy = Policy;
        return TypedResults.Content(page, "text/html; charset=utf-8");
    }

    private static string Page(string introHtml, IReadOnlyList<Plan> plans)
    {
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
          .Append("<title>OutlookFollowUp</title><style>").Append(Style).Append("</style></head><body><main><h1>OutlookFollowUp</h1><p>").Append(introHtml)
          .Append(" Nothing is ever sent: every mail step is a draft.</p>");
        foreach (var plan in plans) sb.Append(Render(plan));
        return sb.Append("</main></body></html>").ToString();
    }

    internal static string Render(Plan plan)
    {
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder();
        sb.Append("<section><h2>").Append(h.Encode(plan.Process.Company ?? plan.Process.Role ?? "Interview process")).Append("</h2>")
          .Append("<p>As of ").Append(h.Encode(plan.Now.ToString("yyyy-MM-dd HH:mm 'UTC'"))).Append(" &middot; Company: ").Append(h.Encode(plan.Process.Company ?? "unknown")).Append(" &middot; Role: ")
          .Append(h.Encode(plan.Process.Role ?? "unknown")).Append(" &middot; State: <span class=\"s\">")
          .Append(h.Encode(Planning.UserPlans.Token(plan.Process.State)))
          .Append("</span></p><table><thead><tr><th scope=\"col\">When (").Append(h.Encode(plan.TimeZone)).Append(")</th><th scope=\"col\">Step</th><th scope=\"col\">Status</th><th scope=\"col\">Why</th></tr></thead><tbody>");
        foreach (var s in plan.Steps)
        {
            var what = s.Mail?.Subject ?? s.Reminder?.Title ?? "";
            var to = string.Join(", ", s.Recipients.Select(r => r.Name));
            sb.Append("<tr><td>").Append(h.Encode(s.DueLocal.ToString("ddd yyyy-MM-dd HH:mm"))).Append("</td><td>")
              .Append(h.Encode(what)).Append(to.Length > 0 ? "<br><small>" + h.Encode(to) + "</small>" : "")
              .Append("</td><td>").Append(h.Encode(Planning.UserPlans.Token(s.Status)))
              .Append("</td><td>").Append(h.Encode(s.Reason)).Append("</td></tr>");
        }
        sb.Append("</tbody></table></section>");
        return sb.ToString();
    }
}
