namespace OutlookFollowUp.Engine;

/// <summary>
/// A learned reader of what people wrote, supplied by the host (an embedded sentence model in the API) as the spell
/// checker is: the engine stays pure and decides what a reading means for the plan.
/// </summary>
public interface IMailReader
{
    /// <summary>
    /// What an employer's message is, as one of the reply labels ("rejection", "on-hold", "offer", "next-round",
    /// "in-process", "references", "auto-reply", "other"); null when this reader cannot read it.
    /// </summary>
    /// <param name="messageId">The message's id: a reader may keep its reading by it, and a user's correction names it.</param>
    /// <param name="text">The message as <see cref="Text.ForReading"/> gives it: subject and fresh text, quotes removed.</param>
    /// <param name="cancellationToken">The plan's: reading is the costly part of a plan.</param>
    MailReading? ReadReply(string? messageId, string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether a calendar event is the user's job interview: label "interview" (confident: act on it; not: "maybe",
    /// ask) or "not"; null when this reader does not read invites.
    /// </summary>
    /// <param name="eventId">The event's id.</param>
    /// <param name="text">The invite as <see cref="InterviewDetector.ForReading"/> gives it.</param>
    /// <param name="signals">The rules' verdict and evidence, names from <see cref="InterviewDetector.Signals"/>.</param>
    /// <param name="cancellationToken">The plan's.</param>
    MailReading? ReadInvite(string? eventId, string text, IReadOnlyList<string> signals, CancellationToken cancellationToken = default) => null;
}

/// <summary>
/// A reader's answer: the label, its probability, why (the nearest labelled examples, or a correction), and whether
/// it is sure enough for the product to act on its own. When not, <see cref="Label"/> is the label worth asking the
/// user about (a rejection, an offer...), or the likeliest one when none is.
/// </summary>
public sealed record MailReading(string Label, double Probability, string Because, bool Confident);
