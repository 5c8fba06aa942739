using System.Collections.Concurrent;
using System.Globalization;

namespace OutlookFollowUp.Engine;

/// <summary>Bad input the engine cannot plan from; the message is one line, fit to show a user.</summary>
public sealed class PlanInputException(string message) : Exception(message);

/// <summary>
/// "Today", business days and working hours in the user's zone. Instants are UTC; dates and wall-clock times are
/// what the user means and are always interpreted in their zone.
/// </summary>
public sealed class UserCalendar
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<DayOfWeek> _workDays;
    private readonly HashSet<DateOnly> _holidays;

    public TimeZoneInfo Zone { get; }
    public string ZoneId { get; }
    public TimeOnly WorkStart { get; }
    public TimeOnly WorkEnd { get; }

    public UserCalendar(string? zoneId, WorkingHours? hours, IEnumerable<DateOnly>? holidays)
    {
        ZoneId = string.IsNullOrWhiteSpace(zoneId) ? hours?.TimeZone?.Name ?? "UTC" : zoneId;
        Zone = ResolveZone(ZoneId, "user.timeZone");
        WorkStart = ParseTime(hours?.StartTime, new TimeOnly(9, 0), "workingHours.startTime");
        WorkEnd = ParseTime(hours?.EndTime, new TimeOnly(17, 0), "workingHours.endTime");
        if (WorkEnd <= WorkStart)
            throw new PlanInputException($"working hours end ({WorkEnd:HH\\:mm}) must be after they start ({WorkStart:HH\\:mm})");
        _workDays = hours?.DaysOfWeek is { Count: > 0 } days
            ? days.Select(d => Enum.TryParse<DayOfWeek>(d, ignoreCase: true, out var day)
                ? day
                : throw new PlanInputException($"unknown day '{d}' in workingHours.daysOfWeek")).ToHashSet()
            : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
        _holidays = holidays?.ToHashSet() ?? [];
    }

    /// <summary>Longer than any zone id Windows or IANA has (the longest are about 32 characters).</summary>
    public const int MaxZoneIdLength = 64;

    /// <summary>
    /// Finds a zone by Windows or IANA id (Graph gives either); "tzone://Microsoft/Utc" counts as UTC. Only zones that
    /// exist are remembered, so the cache is bounded by the system's zones, whatever ids callers send.
    /// </summary>
    public static TimeZoneInfo ResolveZone(string id, string where)
    {
        var key = id.Trim();
        if (key.Length == 0 || key.Length > MaxZoneIdLength)
            throw new PlanInputException($"'{(key.Length > MaxZoneIdLength ? key[..MaxZoneIdLength] + "..." : key)}' is not a time zone id ({where})");
        if (Zones.TryGetValue(key, out var known)) return known;
        TimeZoneInfo? zone = null;
        if (key.Equals("UTC", StringComparison.OrdinalIgnoreCase) || key.Equals("tzone://Microsoft/Utc", StringComparison.OrdinalIgnoreCase))
            zone = TimeZoneInfo.Utc;
        else
        {
            try { zone = TimeZoneInfo.FindSystemTimeZoneById(key); }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { }
        }
        if (zone is null) throw new PlanInputException($"unknown time zone '{key}' ({where})");
        // Keyed by what was asked (case aside) but only once the system knows it: about a thousand entries at most.
        if (Zones.Count < MaxCachedZones) Zones.TryAdd(key, zone);
        return zone;
    }

    private const int MaxCachedZones = 4096;

    /// <summary>How many ids the zone cache holds (for the tests that hold it bounded).</summary>
    internal static int CachedZones => Zones.Count;

    private static TimeOnly ParseTime(string? text, TimeOnly fallback, string where)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        // Graph writes "08:00:00.0000000"; seven fraction digits are more than TimeOnly's parser takes.
        var trimmed = text.Length > 8 ? text[..8] : text;
        return TimeOnly.TryParse(trimmed, CultureInfo.InvariantCulture, out var t)
            ? t
            : throw new PlanInputException($"'{text}' is not a time of day ({where})");
    }

    /// <summary>
    /// A wall-clock time in a zone as an instant. In a spring-forward gap the time is shifted forward by the gap
    /// (02:30 that never happens becomes 03:30); in an autumn overlap the earlier of the two instants is taken.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
            offset = zone.GetUtcOffset(local.AddDays(-1)); // the offset in force before the gap
        else if (zone.IsAmbiguousTime(local))
            offset = zone.GetAmbiguousTimeOffsets(local).Max(); // the larger offset is the earlier instant
        else
            offset = zone.GetUtcOffset(local);
        var ticks = local.Ticks - offset.Ticks;
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            throw new PlanInputException($"{local:yyyy-MM-dd HH:mm} in {zone.Id} is outside the dates the calendar can plan");
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public DateTimeOffset ToUtc(DateOnly date, TimeOnly time) => ToUtc(date.ToDateTime(time), Zone);

    public DateTime ToLocal(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Zone).DateTime, DateTimeKind.Unspecified);

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant));

    public bool IsBusinessDay(DateOnly date) => _workDays.Contains(date.DayOfWeek) && !_holidays.Contains(date);

    public DateOnly BusinessDayOnOrAfter(DateOnly date)
    {
        for (var i = 0; i < 400; i++, date = date.AddDays(1))
            if (IsBusinessDay(date)) return date;
        throw new PlanInputException("no business day within a year: check working days and holidays");
    }

    public DateOnly BusinessDayAfter(DateOnly date) => BusinessDayOnOrAfter(date.AddDays(1));

    public DateOnly AddBusinessDays(DateOnly date, int days)
    {
        for (var i = 0; i < days; i++) date = BusinessDayAfter(date);
        return date;
    }

    /// <summary>Business days in (from, to]: 0 when to is on or before from.</summary>
    public int BusinessDaysBetween(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
            if (IsBusinessDay(d)) count++;
        return count;
    }

    public DateTimeOffset StartOfWork(DateOnly date) => ToUtc(date, WorkStart);

    public DateTimeOffset EndOfWork(DateOnly date) => ToUtc(date, WorkEnd);

    /// <summary>Inside working hours (both ends included) on a business day, in the user's zone.</summary>
    public bool IsWorkingInstant(DateTimeOffset instant)
    {
        var date = LocalDate(instant);
        return IsBusinessDay(date) && instant >= StartOfWork(date) && instant <= EndOfWork(date);
    }

    /// <summary>The instant itself when it is inside working hours, else the next start of a working day.</summary>
    public DateTimeOffset NextWorkingInstant(DateTimeOffset instant)
    {
        if (IsWorkingInstant(instant)) return instant;
        var date = LocalDate(instant);
        if (IsBusinessDay(date) && instant < StartOfWork(date)) return StartOfWork(date);
        return StartOfWork(BusinessDayAfter(date));
    }

    /// <summary>The latest working instant in [from, to], or null when the span holds none.</summary>
    public DateTimeOffset? LatestWorkingInstantIn(DateTimeOffset from, DateTimeOffset to)
    {
        for (var date = LocalDate(to); date >= LocalDate(from); date = date.AddDays(-1))
        {
            if (!IsBusinessDay(date)) continue;
            var start = StartOfWork(date);
            var end = EndOfWork(date);
            var latest = to < end ? to : end;
            var earliest = from > start ? from : start;
            if (latest >= earliest) return latest;
        }
        return null;
    }

    /// <summary>Reads Graph's dateTimeTimeZone as an instant.</summary>
    public static DateTimeOffset ParseGraphDateTime(DateTimeTimeZone? value, string where)
    {
        if (value?.DateTime is not { Length: > 0 } text)
            throw new PlanInputException($"{where} is missing");
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
            throw new PlanInputException($"{where} '{text}' is not a date-time");
        // A trailing Z or offset is honoured; otherwise the local time is read in the named zone.
        if (parsed.Kind == DateTimeKind.Utc) return new DateTimeOffset(parsed, TimeSpan.Zero);
        if (parsed.Kind == DateTimeKind.Local)
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset)
                ? withOffset.ToUniversalTime()
                : throw new PlanInputException($"{where} '{text}' is outside the dates the calendar can plan");
        var zone = ResolveZone(string.IsNullOrWhiteSpace(value.TimeZone) ? "UTC" : value.TimeZone, where + ".timeZone");
        return ToUtc(parsed, zone);
    }
}
