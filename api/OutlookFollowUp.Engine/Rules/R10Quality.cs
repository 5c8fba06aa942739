namespace OutlookFollowUp.Engine;

// R10 quality: the user's own words are checked before a draft goes.
internal sealed partial class PlanBuilder
{
    /// <summary>R10: the user's own words are checked; unknown words and shouting need a look before the draft goes.</summary>
    // roleMailbox: the recipient is a team or a role ("Recruiting Team"), for whom "Hello," is the right greeting.
    private Review? Review(MailDraft draft, string signature, int wordLimit, string? firstName, IEnumerable<string?> userText, bool roleMailbox = false)
    {
        var unknown = new List<UnknownWord>();
        var style = new List<string>();
        var allowed = AllowedNames();
        foreach (var text in userText.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!))
        {
            if (text.Contains("!!", StringComparison.Ordinal)) style.Add("\"!!\" reads as shouting");
            foreach (var word in Text.Words(text))
            {
                if (word.Length >= 4 && word.All(ch => !char.IsLetter(ch) || char.IsUpper(ch)))
                    style.Add($"\"{word}\" in capitals reads as shouting");
                var bare = word.EndsWith("'s", StringComparison.OrdinalIgnoreCase) ? word[..^2] : word;
                if (_spell is null || word.Length < 2 || allowed.Contains(bare.ToLowerInvariant())) continue;
                if (word.Length <= 5 && word.All(char.IsUpper)) continue; // an acronym: AWS, SQL
                if (!_spell.IsKnown(word) && unknown.All(u => u.Word != word))
                    unknown.Add(new UnknownWord(word, _spell.Suggest(word).Take(5).ToList()));
            }
        }
        if (firstName is null && !roleMailbox) style.Add("no first name is known for the greeting: add the recipient's name");
        var words = Drafts.BodyWords(draft, signature);
        if (words > wordLimit) style.Add($"{words} words; keep it under {wordLimit}");
        return unknown.Count == 0 && style.Count == 0 ? null : new Review(unknown, style.Distinct().ToList());
    }

    private HashSet<string>? _allowed;

    private HashSet<string> AllowedNames()
    {
        if (_allowed is not null) return _allowed;
        var names = new List<string?> { _facts.Company, _facts.Role, _user.DisplayName, _facts.ContactPerson?.Name, _facts.MutualConnection?.Name };
        foreach (var e in _in.Events ?? [])
        {
            names.Add(e.Organizer?.EmailAddress?.Name);
            names.AddRange((e.Attendees ?? []).Select(a => a.EmailAddress?.Name));
        }
        return _allowed = names.Where(n => n is not null).SelectMany(n => Text.Words(n!)).Select(w => w.ToLowerInvariant()).ToHashSet();
    }
}
