using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OutlookFollowUp.GraphSandbox;

public static class SandboxEndpoints
{
    /// <summary>Graph's paths under <paramref name="prefix"/>; the controls for tests and demos under /_sandbox.</summary>
    public static RouteGroupBuilder MapGraphSandbox(this IEndpointRouteBuilder app, GraphSandbox sandbox, string prefix = "/v1.0")
    {
        app.Map(prefix + "/{**path}", (HttpContext context) => ServeGraph(context, sandbox, prefix));
        // Graph's retries of refused notifications end with the server that would send them.
        app.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(sandbox.StopNotifications);

        var controls = app.MapGroup("/_sandbox");
        controls.MapPost("/mailboxes", (JsonObject body) =>
        {
            if ((string?)body["address"] is not { Length: > 0 } address) return Results.BadRequest(new { error = "address is required" });
            var box = sandbox.AddMailbox(address, (string?)body["displayName"] ?? address, (string?)body["timeZone"] ?? "UTC", body["workingHours"]?.DeepClone() as JsonObject);
            return Results.Created($"/_sandbox/mailboxes/{box.Address}", new { id = box.Id, address = box.Address });
        });
        controls.MapPost("/mailboxes/{mailbox}/inbound", (string mailbox, JsonObject message) =>
            sandbox.Deliver(mailbox, message) is { } delivered ? Results.Created($"/_sandbox/mailboxes/{mailbox}", delivered) : Results.NotFound());
        controls.MapPost("/mailboxes/{mailbox}/invitations", (string mailbox, JsonObject invitation) =>
            sandbox.DeliverEvent(mailbox, invitation) is { } delivered ? Results.Created($"/_sandbox/mailboxes/{mailbox}", delivered) : Results.NotFound());
        controls.MapPost("/mailboxes/{mailbox}/messages/{id}/send", (string mailbox, string id) =>
            sandbox.SendAsUser(mailbox, id) is { } sent ? Results.Ok(sent) : Results.NotFound());
        controls.MapPost("/mailboxes/{mailbox}/expire-delta", (string mailbox) =>
            sandbox.ExpireDeltaTokens(mailbox) ? Results.NoContent() : Results.NotFound());
        controls.MapGet("/stats", () => Results.Ok(new
        {
            throttleViolations = sandbox.ThrottleViolations,
            sendAttempts = sandbox.SendAttempts,
            requests = sandbox.Log.Count,
            mailboxes = sandbox.Mailboxes.Count,
        }));
        controls.MapGet("/log", () => Results.Ok(sandbox.Log));
        controls.MapPost("/faults", (FaultOptions faults) =>
        {
            if (faults.Rate is < 0 or > 1) return Results.BadRequest(new { error = "rate must be between 0 and 1" });
            sandbox.InjectFaults(faults);
            return Results.NoContent();
        });
        controls.MapPost("/reset", () =>
        {
            sandbox.Reset();
            return Results.NoContent();
        });
        return controls;
    }

    private static async Task ServeGraph(HttpContext context, GraphSandbox sandbox, string prefix)
    {
        var request = context.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{prefix}";
        var path = request.Path.Value![prefix.Length..];
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        JsonNode? body = null;
        using (var reader = new StreamReader(request.Body))
        {
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            if (text.Length > 0)
            {
                try
                {
                    body = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    await Write(context, SandboxResponse.Error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
                        Guid.NewGuid().ToString(), sandbox.Now));
                    return;
                }
            }
        }
        var response = await sandbox.HandleAsync(new SandboxRequest(request.Method, path, query, headers, body, baseUrl), context.RequestAborted);
        await Write(context, response);
    }

    private static async Task Write(HttpContext context, SandboxResponse response)
    {
        if (response.Status == 0)
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = response.Status;
        foreach (var (k, v) in response.Headers) context.Response.Headers[k] = v;
        if (response.Body is null) return;
        context.Response.ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";
        await context.Response.WriteAsync(response.Body.ToJsonString(), context.RequestAborted);
    }
}
