using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.Problems;

/// <summary>
/// Every error is a ProblemDetails response. A request the host could not read (malformed JSON, a body too large)
/// is the client's error and keeps its 4xx status; anything else is a 500 that says nothing of the internals.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var bad = Unwrap(exception);
        int status;
        string title;
        string? detail = null;
        string? type = null;
        var extensions = new Dictionary<string, object?>();
        if (exception is SignInRequiredException signIn)
        {
            // The pane acts on this: getAccessToken({ authChallenge: claims }), then tries again.
            status = StatusCodes.Status403Forbidden;
            type = SignInRequiredType;
            title = "Sign-in required";
            detail = signIn.Message;
            if (signIn.Claims is { Length: > 0 } claims) extensions["claims"] = claims;
        }
        else if (exception is MailboxException { Status: 429 or 503 or 504 } || exception is Polly.CircuitBreaker.BrokenCircuitException)
        {
            // Graph's own wait when it gave one (rounded up, at least a second), else half a minute.
            var after = exception switch
            {
                MailboxException m => m.RetryAfter,
                Polly.CircuitBreaker.BrokenCircuitException b => b.RetryAfter,
                _ => null,
            };
            var wait = after is { } a ? (int)Math.Clamp(Math.Ceiling(a.TotalSeconds), 1, 3600) : 30;
            status = StatusCodes.Status503ServiceUnavailable;
            title = "Outlook is busy";
            detail = $"Microsoft Graph asked us to wait. Try again in {wait} s.";
            extensions["retryAfterSeconds"] = wait;
            context.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (exception is MailboxException { Status: 401 or 403 } denied)
        {
            status = StatusCodes.Status403Forbidden;
            type = SignInRequiredType;
            title = "Your mailbox refused access";
            detail = $"Microsoft Graph answered {denied.Status} {denied.Code}: sign in again, or ask your administrator to consent.";
        }
        else if (exception is MailboxException or HttpRequestException)
        {
            status = StatusCodes.Status502BadGateway;
            title = "Your mailbox could not be reached";
            detail = exception is MailboxException m ? $"Microsoft Graph answered {m.Status} {m.Code} (request-id {m.RequestId ?? "none"})." : "Microsoft Graph did not answer.";
            log.LogWarning("Graph failed for {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, detail);
        }
        else if (bad is not null)
        {
            status = bad.StatusCode;
            title = status == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request could not be read";
            detail = status == StatusCodes.Status413PayloadTooLarge ? null : FirstSentence(exception.Message);
        }
        else
        {
            status = StatusCodes.Status500InternalServerError;
            title = "Something went wrong on our side";
            log.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Type = type, Extensions = extensions },
        });
    }

    /// <summary>The problem type the pane recognizes as "sign in again".</summary>
    public const string SignInRequiredType = "https://outlookfollowup.app/problems/sign-in-required";

    private static BadHttpRequestException? Unwrap(Exception? e)
    {
        BadHttpRequestException? found = null;
        for (; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException b && (found is null || b.StatusCode == StatusCodes.Status413PayloadTooLarge)) found = b;
        return found;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}

public static class ProblemHandlingExtensions
{
    public static IServiceCollection AddProblemHandling(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures throw in every environment, so that the handler above answers them the same way.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }
}
