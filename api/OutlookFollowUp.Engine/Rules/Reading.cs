namespace OutlookFollowUp.Engine;

// Reading the input: bad input is refused with a message that names where it is.
internal sealed partial class PlanBuilder
{
    /// <summary>No interview happens before 1990 or after 2200; such an instant is a mistake, and date arithmetic on it overflows.</summary>
    private static DateTimeOffset Sane(DateTimeOffset instant, string where) =>
        instant.Year is >= 1990 and <= 2200
            ? instant.ToUniversalTime()
            : throw new PlanInputException($"{where} ({instant:yyyy-MM-dd}) is outside the years 1990 to 2200");

    /// <summary>Graph never sends null list entries; one here is malformed input, named by its path.</summary>
    private static void RejectNullEntries(PlanInput input)
    {
        static void Check<T>(IReadOnlyList<T?>? list, string path)
        {
            if (list is null) return;
            for (var i = 0; i < list.Count; i++)
                if (list[i] is null) throw new PlanInputException($"{path}[{i}] is null");
        }
        Check(input.Events, "events");
        for (var i = 0; i < (input.Events?.Count ?? 0); i++)
        {
            var e = input.Events![i];
            Check(e.Attendees, $"events[{i}].attendees");
            Check(e.SingleValueExtendedProperties, $"events[{i}].singleValueExtendedProperties");
        }
        Check(input.Messages, "messages");
        for (var i = 0; i < (input.Messages?.Count ?? 0); i++)
        {
            var m = input.Messages![i];
            Check(m.ToRecipients, $"messages[{i}].toRecipients");
            Check(m.CcRecipients, $"messages[{i}].ccRecipients");
            Check(m.InternetMessageHeaders, $"messages[{i}].internetMessageHeaders");
            Check(m.SingleValueExtendedProperties, $"messages[{i}].singleValueExtendedProperties");
        }
        Check(input.Facts?.AcceptedSteps, "facts.acceptedSteps");
        Check(input.Facts?.DismissedSteps, "facts.dismissedSteps");
        Check(input.Written, "written");
        Check(input.User?.WorkingHours?.DaysOfWeek, "user.workingHours.daysOfWeek");
        Check(input.User?.Aliases, "user.aliases");
        if (input.Facts?.InterviewerNotes?.Any(kv => kv.Value is null) == true) throw new PlanInputException("facts.interviewerNotes has a null note");
    }

    private Interview ReadEvent(GraphEvent e, int index)
    {
        _cancel.ThrowIfCancellationRequested();
        var name = $"event '{e.Id ?? e.ICalUId ?? index.ToString()}'";
        var start = Sane(UserCalendar.ParseGraphDateTime(e.Start, name + " start"), name + " start");
        var end = Sane(UserCalendar.ParseGraphDateTime(e.End, name + " end"), name + " end");
        if (end < start) throw new PlanInputException($"{name} ends before it starts");
        return new Interview(e, start, end, InterviewDetector.Detect(e, _user, null, _reader, _cancel));
    }

    private Mail ReadMessage(GraphMessage m, int index)
    {
        _cancel.ThrowIfCancellationRequested();
        var from = People.Normalize(m.From?.EmailAddress?.Address);
        // Written by the user: from one of their addresses, or on behalf of a shared or delegated mailbox they write for.
        var mine = IsUser(from) || IsUser(m.WrittenBy?.EmailAddress?.Address);
        DateTimeOffset? at = mine ? m.SentDateTime ?? m.ReceivedDateTime : m.ReceivedDateTime ?? m.SentDateTime;
        if (m.IsDraft == true) at ??= m.LastModifiedDateTime ?? m.CreatedDateTime;
        if (at is null)
            throw new PlanInputException($"message '{m.Id ?? index.ToString()}' has no sentDateTime or receivedDateTime");
        Sane(at.Value, $"message '{m.Id ?? index.ToString()}' time");
        var to = (m.ToRecipients ?? []).Concat(m.CcRecipients ?? []).Select(r => People.Normalize(r.EmailAddress?.Address)).ToList();
        return new Mail(m, at.Value.ToUniversalTime(), from, StepKeys.FromProperties(m.SingleValueExtendedProperties), to)
        {
            Mine = mine,
            MessageId = MessageIds(m.InternetMessageId).FirstOrDefault(),
            References = MessageIds(Header(m, "In-Reply-To")).Concat(MessageIds(Header(m, "References"))).Distinct().ToList(),
        };
    }

    private static string? Header(GraphMessage m, string name) =>
        m.InternetMessageHeaders?.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The "&lt;id@host&gt;" tokens of a header, at most 50 of at most 250 characters each: a hostile header costs no more.</summary>
    internal static List<string> MessageIds(string? header)
    {
        var ids = new List<string>();
        if (string.IsNullOrEmpty(header)) return ids;
        var text = header.Length > 16_000 ? header[..16_000] : header;
        var start = -1;
        for (var i = 0; i < text.Length && ids.Count < 50; i++)
        {
            if (text[i] == '<') start = i;
            else if (text[i] == '>' && start >= 0)
            {
                if (i - start is > 3 and <= 250) ids.Add(text[(start + 1)..i].Trim().ToLowerInvariant());
                start = -1;
            }
        }
        // Graph gives internetMessageId with its brackets; a bare id is taken whole.
        if (ids.Count == 0 && !text.Contains('<') && text.Length <= 250 && text.Contains('@')) ids.Add(text.Trim().ToLowerInvariant());
        return ids;
    }

    private Detection ProcessDetection(List<Interview> events)
    {
        if (_facts.IsInterview is bool says) return InterviewDetector.Detect(events.Count > 0 ? events[0].Event : new GraphEvent(), _user, says);
        var yes = events.FirstOrDefault(e => e.Detection.Verdict == DetectionVerdict.Interview);
        if (yes is not null) return yes.Detection;
        var maybe = events.FirstOrDefault(e => e.Detection.Verdict == DetectionVerdict.Maybe);
        if (maybe is not null) return maybe.Detection;
        return events.Count > 0 ? events[0].Detection : new Detection(DetectionVerdict.NotInterview, ["R0: only reminders OutlookFollowUp created"]);
    }

    private string Signature() =>
        _settings.Signature is { Length: > 0 } s ? s.Trim() : People.DisplayName(new EmailAddress(_user.DisplayName, _user.Address));
}
