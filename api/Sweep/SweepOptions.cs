using System.ComponentModel.DataAnnotations;

namespace OutlookFollowUp.Api.Sweep;

/// <summary>The background sweep. Section <c>Sweep</c>.</summary>
public sealed class SweepOptions
{
    /// <summary>Run the sweep in this instance (the CLI verb runs it regardless).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each mailbox is looked at; an idle look costs one Graph request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often this instance asks the database for mailboxes that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Mailboxes swept at once by this instance (each uses up to 4 Graph requests at a time).</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>Mailboxes claimed per database round trip.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// How long a claimed mailbox stays this instance's; renewed before every write. A killed instance's mailboxes
    /// pass to another once their leases run out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The Graph calendar window read around now, in days each way; the feed starts over once its window has moved by a quarter of this.</summary>
    [Range(7, 730)]
    public int CalendarDays { get; set; } = 120;
}
