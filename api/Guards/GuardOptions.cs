using System.ComponentModel.DataAnnotations;

namespace OutlookFollowUp.Api.Guards;

/// <summary>Per-user request limits for the pane's endpoints. Section <c>RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a user may make in a burst.</summary>
    [Range(1, 10_000)]
    public int Burst { get; set; } = 30;

    /// <summary>Requests a user regains per minute, up to <see cref="Burst"/>.</summary>
    [Range(1, 100_000)]
    public int PerMinute { get; set; } = 120;
}

/// <summary>Where the add-in is served from. Section <c>Addin</c>.</summary>
public sealed class AddinOptions
{
    /// <summary>The pane's origins, allowed by CORS (https://host[:port]); none: same origin only.</summary>
    public string[] Origins { get; set; } = [];
}
