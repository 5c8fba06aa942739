using Microsoft.Extensions.Options;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Spelling;

/// <summary>The spell checker the engine is given, or why there is none: the product runs without one.</summary>
public sealed class Spelling(ISpellChecker? checker, string? unavailableBecause)
{
    public ISpellChecker? Checker { get; } = checker;
    public string? UnavailableBecause { get; } = unavailableBecause;

    public static Spelling Open(SpellingOptions options)
    {
        var checker = HunspellSpellChecker.TryOpen(options, out var why);
        return new Spelling(checker, why);
    }
}

public static class SpellingExtensions
{
    public static IServiceCollection AddSpelling(this IServiceCollection services)
    {
        services.AddOptions<SpellingOptions>().BindConfiguration(SpellingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var spelling = Spelling.Open(sp.GetRequiredService<IOptions<SpellingOptions>>().Value);
            if (spelling.UnavailableBecause is { } why)
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Spelling").LogWarning("Spell check unavailable: {Reason}", why);
            return spelling;
        });
        return services;
    }
}
