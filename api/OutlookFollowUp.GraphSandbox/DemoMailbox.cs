using System.Globalization;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>
/// The zero-config demo's mailbox: a job seeker with interview processes at different stages, relative to "now", so
/// the demo always looks current: an onsite that ended yesterday with three interviewers; a process waiting past the
/// date the employer gave; a rejection; a next round already scheduled; and a look-alike that is not an interview.
/// </summary>
public static class DemoMailbox
{
    public const string Address = "alex.rivera@outlook.com";
    public const string ZoneId = "Pacific Standard Time";

    /// <summary>
    /// Seeds the demo's processes into <paramref name="address"/>'s mailbox (the benchmark seeds thousands). With a
    /// <paramref name="reference"/>, every invite and message ends with it, so that no two mailboxes share a text (the
    /// reader keeps what it has read by the text: identical mailboxes would be read once for all).
    /// </summary>
    public static SandboxMailbox Seed(GraphSandbox sandbox, DateTimeOffset now, string address = Address, string displayName = "Alex Rivera", string? reference = null)
    {
        var box = sandbox.Find(address) ?? sandbox.AddMailbox(address, displayName, ZoneId);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(ZoneId);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        DateOnly Weekday(int daysAgo)
        {
            var d = today.AddDays(-daysAgo);
            while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) d = d.AddDays(-1);
            return d;
        }
        string At(DateOnly day, int hour) => day.ToDateTime(new TimeOnly(hour, 0)).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        JsonObject Person(string name, string address) => new() { ["emailAddress"] = new JsonObject { ["name"] = name, ["address"] = address } };
        JsonObject Attendee(string name, string address, string type = "required") => new() { ["type"] = type, ["emailAddress"] = Person(name, address)["emailAddress"]!.DeepClone() };
        JsonObject Invite(string subject, string body, DateOnly day, int hour, int hours, JsonObject organizer, params JsonObject[] attendees) => new()
        {
            ["subject"] = subject,
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = reference is null ? body : $"{body}<p>Ref {reference}</p>" },
            ["start"] = new JsonObject { ["dateTime"] = At(day, hour), ["timeZone"] = ZoneId },
            ["end"] = new JsonObject { ["dateTime"] = At(day, hour + hours), ["timeZone"] = ZoneId },
            ["organizer"] = organizer.DeepClone(),
            ["attendees"] = new JsonArray([Attendee(displayName, address), .. attendees]),
        };
        JsonObject Mail(string subject, string body, JsonObject from, DateOnly day, int hour) => new()
        {
            ["subject"] = subject,
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = reference is null ? body : $"{body} Ref {reference}" },
            ["from"] = from.DeepClone(),
            ["toRecipients"] = new JsonArray(Person(displayName, address)),
            ["receivedDateTime"] = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, 0)), zone).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };

        // 1. An onsite that ended yesterday, three interviewers and a room.
        var dana = Person("Dana Whitfield", "dana.whitfield@fabrikam.com");
        sandbox.DeliverEvent(address, Invite("Onsite interview: Senior Backend Engineer",
            "<p>You will meet Priya (engineering manager) and Tom (staff engineer). We expect to make a decision within two weeks.</p>",
            Weekday(1), 10, 3, dana, Attendee("Priya Natarajan", "priya.natarajan@fabrikam.com"), Attendee("Tom Becker", "tom.becker@fabrikam.com"),
            Attendee("Conf Room Rainier", "rainier@fabrikam.com", "resource")));

        // 2. Waiting past the date the employer gave ("within a week", two weeks ago).
        var ken = Person("Ken Adams", "ken.adams@proseware.com");
        sandbox.DeliverEvent(address, Invite("Technical interview - Proseware", "<p>We'll get back to you within a week.</p>", Weekday(14), 14, 1, ken,
            Attendee("Lena Fischer", "lena.fischer@proseware.com")));

        // 3. Rejected after a final round.
        var grace = Person("Grace Liu", "grace.liu@litware.com");
        sandbox.DeliverEvent(address, Invite("Final round interview: Product Analyst", "<p>Final round with the analytics leads.</p>", Weekday(10), 11, 2, grace,
            Attendee("Omar Haddad", "omar.haddad@litware.com")));
        sandbox.Deliver(address, Mail("Your application to Litware",
            "Hi Alex, thank you for your time. Unfortunately we have decided to move forward with other candidates.", grace, Weekday(2), 9));

        // 4. A first round passed, the next one scheduled.
        var maria = Person("Maria Gomez", "maria.gomez@northwind.io");
        sandbox.DeliverEvent(address, Invite("Phone screen - Northwind", "<p>A 30 minute screening call.</p>", Weekday(6), 9, 1, maria));
        sandbox.DeliverEvent(address, Invite("Second round interview - Northwind", "<p>Meet the platform team.</p>", today.AddDays(3), 13, 2, maria,
            Attendee("Raj Patel", "raj.patel@northwind.io")));

        // 5. Not an interview: a podcast recording.
        sandbox.DeliverEvent(address, Invite("Podcast interview: careers in data", "<p>Recording for episode 42.</p>", Weekday(3), 16, 1,
            Person("Jo Banks", "jo@datapod.fm")));
        return box;
    }
}
