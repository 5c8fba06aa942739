using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

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
        if (bad is not null)
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
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

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
