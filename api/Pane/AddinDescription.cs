namespace OutlookFollowUp.Api.Pane;

/// <summary>
/// The add-in as both manifests describe it: the XML manifest (Outlook on Mac, mobile, perpetual Office) and the unified
/// manifest for Microsoft 365 (JSON) are each rendered from this one record, so the button, the surfaces it shows on,
/// the icons and the permission cannot drift apart.
/// </summary>
/// <param name="Host">Where the service serves the pane; every URL of both manifests is under it.</param>
/// <param name="ClientId">The Entra ID app registration the pane signs in with.</param>
/// <param name="Resource">The API's Application ID URI; <c>api://host/client-id</c> when not given.</param>
public sealed record AddinDescription(Uri Host, string ClientId, string? Resource = null)
{
    /// <summary>The add-in's own id; it never changes between hosts, versions or manifest formats.</summary>
    public const string Id = "5b7c1f0e-3a8d-4c63-9f2e-0d1a7e6b4c21";

    /// <summary>Major.minor.build, as the unified manifest takes it (the XML manifest adds a fourth part).</summary>
    public const string Version = "1.0.0";

    public const string Name = "OutlookFollowUp";
    public const string FullName = "OutlookFollowUp: after the interview";
    public const string ShortDescription = "Thank-you notes, follow-ups on the right days, and reminders after an interview.";
    public const string LongDescription = "After an interview: thank-you notes drafted for each interviewer, follow-ups on the right days, and reminders you choose. Nothing is sent for you.";
    public const string ButtonLabel = "Follow up";
    public const string ButtonTooltip = "See the thank-you notes, follow-ups and reminders for this interview.";
    public const string AccentColor = "#0F6CBD";

    /// <summary>The delegated scope of the API that the pane asks for (Entra:Scope's default).</summary>
    public const string Scope = "access_as_user";

    /// <summary>Mailbox requirement set every surface needs (add-in commands).</summary>
    public const string MailboxMinVersion = "1.3";

    /// <summary>Sizes of the button icons (addin/assets/icon-N.png); 64 and 128 are the XML manifest's add-in icons.</summary>
    public static readonly int[] ButtonIconSizes = [16, 32, 80];

    /// <summary>The app package's icons (the unified manifest's color and outline), in addin/assets.</summary>
    public const string ColorIcon = "color.png", OutlineIcon = "outline.png";

    /// <summary>
    /// Where the button shows: reading a message (an employer's reply, a meeting request), a meeting you attend, one you
    /// organize. The organizer's form is a compose form, where a pane cannot be pinned.
    /// </summary>
    public static readonly IReadOnlyList<Surface> Surfaces =
    [
        new("Read", "MessageReadCommandSurface", "mailRead", Pinnable: true),
        new("Attendee", "AppointmentAttendeeCommandSurface", "meetingDetailsAttendee", Pinnable: true),
        new("Organizer", "AppointmentOrganizerCommandSurface", "meetingDetailsOrganizer", Pinnable: false),
    ];

    /// <summary>
    /// The one permission, in each format's words: the item the pane is open on is read, nothing else through Office
    /// (the mailbox is read by the service through Graph).
    /// </summary>
    public const string XmlPermission = "ReadItem", UnifiedPermission = "MailboxItem.Read.User";

    public string Origin => Host.GetLeftPart(UriPartial.Authority);

    public string PaneUrl(string path) => Origin + PaneExtensions.RequestPath + path;

    public string TaskPane => PaneUrl("/taskpane.html");

    public string Icon(int size) => PaneUrl($"/assets/icon-{size}.png");

    public string ApplicationIdUri => Resource ?? $"api://{Host.Authority}/{ClientId}";

    /// <summary>The broker redirect nested app authentication needs on the app registration (an SPA redirect).</summary>
    public string NestedAppRedirect => $"brk-multihub://{Host.Authority}";

    public string SupportUrl => Origin + "/";
    public string PrivacyUrl => PaneUrl("/privacy.html");
    public string TermsUrl => PaneUrl("/terms.html");

    public sealed record Surface(string Name, string XmlExtensionPoint, string UnifiedContext, bool Pinnable);
}
