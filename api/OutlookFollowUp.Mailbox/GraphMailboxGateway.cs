using System.Text.Json;
using Microsoft.Graph;
using G = Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
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
    /// <param name="pipeline">
    /// The mailbox's shared limits (retries, circuit breaker, four request slots): every gateway on one mailbox in a
    /// process should get the same one. Null gives this gateway its own.
    /// </param>
    public GraphMailboxGateway(Uri baseUrl, AccessTokenSource token, MailboxResilienceOptions resilience, TimeProvider time,
        HttpMessageHandler? transport = null, MailboxPipeline? pipeline = null)
    {
        _resilience = resilience;
        _time = time;
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        // One retry layer per client: Kiota's RetryHandler would hide 503s from Polly and add its own delays.
        foreach (var retry in handlers.OfType<RetryHandler>().ToList()) handlers.Remove(retry);
        handlers.Insert(0, new ResilienceHandler(pipeline ?? new MailboxPipeline(resilience, time)));
        var http = transport is null ? GraphClientFactory.Create(handlers) : GraphClientFactory.Create(handlers, finalHandler: transport, disposeHandler: false);
        var auth = new BaseBearerTokenAuthenticationProvider(new TokenProvider(token, baseUrl.Host));
        _client = new GraphServiceClient(http, auth, baseUrl.ToString().TrimEnd('/'));
    }

    /// <summary>Every address of the user's: proxyAddresses' SMTP entries ("SMTP:" primary, "smtp:" others), mail, userPrincipalName.</summary>
    internal static IReadOnlyList<string> Aliases(JsonElement me)
    {
        var found = new List<string>();
        if (me.TryGetProperty("proxyAddresses", out var proxies) && proxies.ValueKind == JsonValueKind.Array)
            foreach (var p in proxies.EnumerateArray().Take(100))
                if (p.ValueKind == JsonValueKind.String && p.GetString() is { } v && v.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase) && v.Length <= 260)
                    found.Add(v[5..]);
        foreach (var name in new[] { "mail", "userPrincipalName" })
            if (me.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.String && a.GetString() is { Length: > 0 and <= 260 } address)
                found.Add(address);
        return found.Where(a => a.Contains('@')).Select(a => a.Trim().ToLowerInvariant()).Distinct().ToList();
    }

    public async Task<UserProfile> GetUserAsync(CancellationToken cancellationToken = default)
    {
        // Read as JSON, like every other read: the SDK's model parses working hours' "08:00:00.0000000" by throwing and
        // catching an exception per field, twice for every mailbox of a sweep.
        // Both at once: two of the four requests Graph lets a mailbox have in flight, one round trip instead of two.
        // proxyAddresses is outside /me's default set: the user's aliases come only when asked for.
        var meRead = JsonAsync(MeRequest(), cancellationToken);
        var settingsRead = JsonAsync(Get("me/mailboxSettings"), cancellationToken);
        try
        {
            await Task.WhenAll(meRead, settingsRead);
        }
        catch
        {
            // The first failure is reported (as MailboxException); a read that did succeed is let go.
            if (meRead.IsCompletedSuccessfully) meRead.Result.Dispose();
            if (settingsRead.IsCompletedSuccessfully) settingsRead.Result.Dispose();
            throw;
        }
        using var me = meRead.Result;
        using var settings = settingsRead.Result;
        return ProfileOf(me.RootElement, settings.RootElement);
    }

    private RequestInformation MeRequest() => Get("me" + Query(("$select", "displayName,mail,userPrincipalName,proxyAddresses")));

    private static UserProfile ProfileOf(JsonElement me, JsonElement settings)
    {
        string? Text(JsonElement doc, string name) => doc.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new UserProfile
        {
            Address = Text(me, "mail") ?? Text(me, "userPrincipalName"),
            DisplayName = Text(me, "displayName"),
            Aliases = Aliases(me),
            TimeZone = Text(settings, "timeZone"),
            WorkingHours = settings.TryGetProperty("workingHours", out var hours) && hours.ValueKind == JsonValueKind.Object
                ? hours.Deserialize<WorkingHours>(PlanJson.Options)
                : null,
        };
    }

    public Task<IReadOnlyList<GraphEvent>> GetEventsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        ReadAllPagesAsync<GraphEvent>(
            Get("me/calendarView" + Query(("startDateTime", from.UtcDateTime.ToString("o")), ("endDateTime", to.UtcDateTime.ToString("o")),
                ("$top", "100"), ("$expand", ExpandKey)), UtcTimes),
            next => Get(next, UtcTimes), cancellationToken);

    // Graph's error bodies become ODataError (and so MailboxException with Graph's code), as the SDK's own requests do.
    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new() { ["XXX"] = ODataError.CreateFromDiscriminatorValue };

    private const string UtcTimes = "outlook.timezone=\"UTC\"";
    private static readonly string ExpandKey = $"singleValueExtendedProperties($filter=id eq '{StepKeys.PropertyId}')";

    /// <summary>
    /// A GET with its URL written out (a path under the base URL, or an absolute link Graph gave). The SDK's request
    /// builders read their query-parameter objects by reflection on every request, and the reflection stubs the runtime
    /// emits for that were thrown away and rebuilt all through a large sweep: their finalization alone took a fifth of
    /// the service's processor time.
    /// </summary>
    private RequestInformation Get(string pathOrLink, string? prefer = null)
    {
        var url = pathOrLink.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || pathOrLink.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? pathOrLink
            : $"{_client.RequestAdapter.BaseUrl}/{pathOrLink}";
        var request = new RequestInformation { HttpMethod = Method.GET, URI = new Uri(url) };
        request.Headers.Add("Accept", "application/json");
        if (prefer is not null) request.Headers.Add("Prefer", prefer);
        return request;
    }

    /// <summary>An OData query string, each value escaped.</summary>
    private static string Query(params (string Name, string Value)[] parameters) =>
        "?" + string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    private async Task<JsonDocument> JsonAsync(RequestInformation request, CancellationToken cancellationToken)
    {
        await using var stream = await Call(() => _client.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken));
        return await JsonDocument.ParseAsync(stream!, cancellationToken: cancellationToken);
    }

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
            await using var stream = await Call(() => _client.RequestAdapter.SendPrimitiveAsync<Stream>(page, ErrorMapping, cancellationToken));
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
        using var doc = await JsonAsync(Get($"me/{collection}" + Query(("$filter", filter), ("$select", "id,lastModifiedDateTime"), ("$top", "1"))), cancellationToken);
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
                inner?.RequestId ?? (inner?.AdditionalData is { } rid && rid.TryGetValue("request-id", out var r) ? r?.ToString() : null), inner?.Date?.ToString() ?? (inner?.AdditionalData is { } dd && dd.TryGetValue("date", out var d) ? d?.ToString() : null))
            { RetryAfter = RetryAfterOf(e) };
        }
        catch (ApiException e)
        {
            throw new MailboxException(e.ResponseStatusCode, "unknown", e.Message, null, null) { RetryAfter = RetryAfterOf(e) };
        }
    }

    private static TimeSpan? RetryAfterOf(ApiException e) =>
        e.ResponseHeaders.TryGetValue("Retry-After", out var values) ? ResilienceHandler.RetryAfterSeconds(values.FirstOrDefault()) : null;

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

    /// <summary>How long Graph asked us to wait before asking again, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
