namespace OutlookFollowUp.Engine;

/// <summary>A dictionary the engine asks about words the user typed; the host supplies it (Hunspell in the API).</summary>
public interface ISpellChecker
{
    bool IsKnown(string word);

    IReadOnlyList<string> Suggest(string word);
}
