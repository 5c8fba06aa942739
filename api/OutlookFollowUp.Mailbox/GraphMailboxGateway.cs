using System.Text.Json;
using Microsoft.Graph;
using G = Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

/// <summary>Gives the gateway a bearer token for the user's mailbox (on-behalf-of in production).</summary>
public delegate Task<string> AccessTokenSource(CancellationToken cancellationToken);

/// <summary>
/// <see cref="IMailboxGateway"/> on Microsoft Graph's SDK, for one user's mailbox, against Graph itself or any
/// Graph-compatible base URL (the sandbox). Only the permissions the product needs; never the one to send mail.
/// </summary>
public sealed partial class GraphMailboxGateway : IMailboxGateway
{
    /// <summary>Delegated permissions the product asks for. The permission to send mail is deliberately absent.</summary>
    public static readonly IReadOnlyList<string> Scopes =
        ["Calendars.ReadWrite", "Mail.ReadWrite", "MailboxSettings.Read", "User.Read", "offline_access"];

    private static readonly JsonNamingPolicy Camel = JsonNamingPolicy.CamelCase;
    private readonly GraphServiceClient _client;
    private readonly MailboxResilienceOptions _resilience;
    private readonly TimeProvider _time;

    /// <param name="baseUrl">Graph's base URL, or a Graph-compatible server's.</param>
    /// <param name="token">The user's Graph token, asked for at each request.</param>
    /// <param name="resilience">Retries, timeout and circuit breaker.</param>
    /// <param name="time">The clock the retry delays wait on.</param>
    /// <param name="transport">
    /// The connection pool to share between gateways (a service makes one gateway per user per pass); null gives this
    /// gateway its own.
    /// </param>
    public GraphMailboxGateway(Uri baseUrl, AccessTokenSource token, MailboxResilienceOptions resilience, TimeProvider time,
        HttpMessageHandler? transport = null)
    {
        _resilience = resilience;
        _time = time;
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        // One retry layer per client: Kiota's RetryHandler would hide 503s from Polly and add its own delays.
        foreach (var retry in handlers.OfType<RetryHandler>().ToList()) handlers.Remove(retry);
        handlers.Insert(0, new ResilienceHandler(resilience, time));
        var http = transport is null ? GraphClientFactory.Create(handlers) : GraphClientFactory.Create(handlers, finalHandler: transport, disposeHandler: false);
        var auth = new BaseBearerTokenAuthenticationProvider(new TokenProvider(token, baseUrl.Host));
        _client = new GraphServiceClient(http, auth, baseUrl.ToString().TrimEnd('/'));
    }

    public async Task<UserProfile> GetUserAsync(CancellationToken cancellationToken = default)
    {
        var me = await Call(() => _client.Me.GetAsync(cancellationToken: cancellationToken));
        var settings = await Call(() => _client.Me.MailboxSettings.GetAsync(cancellationToken: cancellationToken));
        var hours = settings?.WorkingHours;
        return new UserProfile
        {
            Address = me?.Mail ?? me?.UserPrincipalName,
            DisplayName = me?.DisplayName,
            TimeZone = settings?.TimeZone,
            WorkingHours = hours is null ? null : new WorkingHours
            {
                DaysOfWeek = hours.DaysOfWeek?.Where(d => d is not null).Select(d => Camel.ConvertName(d!.Value.ToString())).ToList(),
                StartTime = hours.StartTime?.ToString(),
                EndTime = hours.EndTime?.ToString(),
                TimeZone = new WorkingHoursZone(hours.TimeZone?.Name),
            },
        };
    }

    public Task<IReadOnlyList<GraphEvent>> GetEventsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadAllPagesAsync<GraphEvent>(_client.Me.CalendarView.ToGetRequestInformation(r =>
        {
            r.QueryParameters.StartDateTime = from.UtcDateTime.ToString("o");
            r.QueryParameters.EndDateTime = to.UtcDateTime.ToString("o");
            r.QueryParameters.Top = 100;
            r.QueryParameters.Expand = [$"singleValueExtendedProperties($filter=id eq '{StepKeys.PropertyId}')"];
            r.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
        }), next => _client.Me.CalendarView.WithUrl(next).ToGetRequestInformation(r => r.Headers.Add("Prefer", "outlook.timezone=\"UTC\"")), cancellationToken);

    /// <summary>
    /// Every page of a Graph collection, read straight into the engine's Graph-shaped records: one mapping for all
    /// reads, so none can drift from Graph's own JSON.
    /// </summary>
    private async Task<IReadOnlyList<T>> ReadAllPagesAsync<T>(RequestInformation first, Func<string, RequestInformation> next, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        var request = first;
        while (true)
        {
            var page = request;
            await using var stream = await Call(() => _client.RequestAdapter.SendPrimitiveAsync<Stream>(page, cancellationToken: cancellationToken));
            using var doc = await JsonDocument.ParseAsync(stream!, cancellationToken: cancellationToken);
            result.AddRange(doc.RootElement.GetProperty("value").EnumerateArray().Select(item => item.Deserialize<T>(PlanJson.Options)!));
            if (!doc.RootElement.TryGetProperty("@odata.nextLink", out var link)) return result;
            request = next(link.GetString()!);
        }
    }

    public Task<WrittenItem?> FindByKeyAsync(string stepKey, CancellationToken cancellationToken = default) =>
        FindKeyAsync("messages", stepKey, cancellationToken);

    /// <summary>The item of a collection (messages or events) that carries the step key, if any.</summary>
    private async Task<WrittenItem?> FindKeyAsync(string collection, string stepKey, CancellationToken cancellationToken)
    {
        var filter = $"singleValueExtendedProperties/any(ep: ep/id eq '{StepKeys.PropertyId}' and ep/value eq '{stepKey.Replace("'", "''")}')";
        var url = $"{_client.RequestAdapter.BaseUrl}/me/{collection}?$filter={Uri.EscapeDataString(filter)}&$select=id,lastModifiedDateTime&$top=1";
        var request = new RequestInformation(Method.GET, url, new Dictionary<string, object>());
        await using var stream = await Call(() => _client.RequestAdapter.SendPrimitiveAsync<Stream>(request, cancellationToken: cancellationToken));
        using var doc = await JsonDocument.ParseAsync(stream!, cancellationToken: cancellationToken);
        var item = doc.RootElement.GetProperty("value").EnumerateArray().FirstOrDefault();
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var id)) return null;
        var modified = item.TryGetProperty("lastModifiedDateTime", out var m) && m.TryGetDateTimeOffset(out var t) ? t : default;
        return new WrittenItem(stepKey, id.GetString()!, modified, Created: false);
    }

    public async Task<WrittenItem> CreateDraftAsync(string stepKey, MailDraft draft, IReadOnlyList<Person> to, CancellationToken cancellationToken = default)
    {
        if (await FindByKeyAsync(stepKey, cancellationToken) is { } existing) return existing;
        G.Message Message() => DraftMessage(stepKey, draft, to, withSubject: true);
        try
        {
            var created = await Call(() => _client.Me.Messages.PostAsync(Message(), cancellationToken: cancellationToken));
            return new WrittenItem(stepKey, created!.Id!, created.LastModifiedDateTime ?? default, Created: true);
        }
        catch (Exception e) when (IsAmbiguous(e))
        {
            // The server may have written the draft before the answer was lost: the mailbox says whether it did.
            if (await FindByKeyAsync(stepKey, cancellationToken) is { } written) return written;
            var created = await Call(() => _client.Me.Messages.PostAsync(Message(), cancellationToken: cancellationToken));
            return new WrittenItem(stepKey, created!.Id!, created.LastModifiedDateTime ?? default, Created: true);
        }
    }

    private static bool IsAmbiguous(Exception e) =>
        e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException
        || e is MailboxException { Status: >= 500 and not 503 };

    /// <summary>Graph's errors become the project's own, with Graph's code and request id; never a token or a body.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ODataError e)
        {
            var inner = e.Error?.InnerError;
            throw new MailboxException(e.ResponseStatusCode, e.Error?.Code ?? "unknown", e.Error?.Message ?? e.Message,
                inner?.RequestId ?? (inner?.AdditionalData is { } rid && rid.TryGetValue("request-id", out var r) ? r?.ToString() : null), inner?.Date?.ToString() ?? (inner?.AdditionalData is { } dd && dd.TryGetValue("date", out var d) ? d?.ToString() : null));
        }
        catch (ApiException e)
        {
            throw new MailboxException(e.ResponseStatusCode, "unknown", e.Message, null, null);
        }
    }

    /// <summary>Hands the token only to the configured Graph host (the SDK sends none to unknown hosts otherwise).</summary>
    private sealed class TokenProvider(AccessTokenSource token, string host) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            AllowedHostsValidator.IsUrlHostValid(uri) ? token(cancellationToken) : Task.FromResult("");
    }
}

/// <summary>A Graph error in the project's terms: status, Graph's code, and the request id and date to quote to Microsoft.</summary>
public sealed class MailboxException(int status, string code, string message, string? requestId, string? date)
    : Exception($"Graph answered {status} {code}: {message} (request-id {requestId ?? "none"}, date {date ?? "none"})")
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? RequestId { get; } = requestId;
    public string? Date { get; } = date;
}
