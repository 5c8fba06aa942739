using OutlookFollowUp.Api.Spelling;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R10: never a spelling mistake [003]. Checked with the real Hunspell library and Debian's en_US dictionary.</summary>
public sealed class R10QualityTests : IDisposable
{
    private readonly HunspellSpellChecker _hunspell =
        HunspellSpellChecker.TryOpen(new SpellingOptions(), out var why) ?? throw new InvalidOperationException($"Hunspell is required: {why}");

    public void Dispose() => _hunspell.Dispose();

    /// <summary>Every piece of text the product can write, with and without a known role, company and name.</summary>
    private static IEnumerable<(string Where, string Text)> AllTemplateText()
    {
        var contexts = new[]
        {
            new DraftContext("Engineer", "Fabrikam", "Alex", new DecisionDate(new DateOnly(2026, 3, 20), "facts", null), null),
            new DraftContext(null, null, "Alex", null, null),
        };
        var day = new DateOnly(2026, 3, 10);
        foreach (var c in contexts)
        {
            foreach (var first in new[] { "Priya", null })
            {
                var ty = Drafts.ThankYou(c, first, day, null);
                yield return ("thank-you", ty.Subject + "\n" + ty.BodyText);
                for (var n = 1; n <= 3; n++)
                {
                    var fu = Drafts.FollowUp(c, first, n, day, null, null);
                    yield return ($"follow-up {n}", fu.Subject + "\n" + fu.BodyText);
                }
                var rr = Drafts.RejectionReply(c, first, null, null);
                yield return ("rejection reply", rr.Subject + "\n" + rr.BodyText);
                yield return ("connection note", Drafts.ConnectNote(c, first));
            }
            foreach (var kind in Enum.GetValues<StepKind>().Where(k => k is not (StepKind.ThankYou or StepKind.FollowUp or StepKind.RejectionReply)))
            {
                var (title, body) = Drafts.Reminder(kind, c, "Priya", kind == StepKind.Call ? " on March 10" : "note");
                yield return (kind.ToString(), title + "\n" + body);
            }
        }
    }

    [Fact]
    public void EveryWordOfTemplateTextIsInTheHunspellDictionary()
    {
        // Words that are not the template's: names of people, the company, the role and the user's signature.
        var notOurs = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Priya", "Fabrikam", "Engineer", "Alex", "note" };
        // LinkedIn is a trademark, absent from en_US; the reminder has to name it. It is the only exception.
        notOurs.Add("LinkedIn");
        var unknown = AllTemplateText()
            .SelectMany(t => Text.Words(t.Text).Select(w => (t.Where, Word: w)))
            .Where(x => !notOurs.Contains(x.Word) && !_hunspell.IsKnown(x.Word))
            .Select(x => $"{x.Word} ({x.Where})").Distinct().ToList();
        Assert.True(unknown.Count == 0, "not in the dictionary: " + string.Join(", ", unknown));
        Assert.True(AllTemplateText().SelectMany(t => Text.Words(t.Text)).Distinct().Count() > 200, "the check must see the whole vocabulary");
    }

    [Fact]
    public void NoTemplateShoutsAndEveryMailGreetsByNameAndSigns()
    {
        foreach (var (where, text) in AllTemplateText())
        {
            Assert.DoesNotContain("!", text);
            Assert.DoesNotContain(Text.Words(text), w => w.Length >= 4 && w.All(char.IsUpper));
            if (where is "thank-you" or "rejection reply" || where.StartsWith("follow-up", StringComparison.Ordinal))
            {
                Assert.Matches(@"\n(Hi Priya,|Hello,)\n", text);
                Assert.EndsWith("Best regards,\nAlex", text);
            }
        }
    }

    [Fact]
    public void UnknownWordsInTheUsersOwnTextMarkTheStepNeedsReviewWithSuggestions()
    {
        var facts = new UserFacts { Role = "Engineer", Company = "Fabrikam", FitLine = "I am pasionate about reliabilty and scale." };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00")], facts: facts), _hunspell);
        Assert.Equal("checked", plan.SpellCheck);
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s =>
        {
            Assert.Equal(StepStatus.NeedsReview, s.Status);
            Assert.Equal(["pasionate", "reliabilty"], s.Review!.UnknownWords.Select(u => u.Word));
            Assert.Contains("passionate", s.Review.UnknownWords[0].Suggestions);
        });
    }

    [Fact]
    public void NamesOfPeopleTheCompanyAndTheRoleAreNeverFlagged()
    {
        var facts = new UserFacts
        {
            Role = "DevSecOps Engineer", Company = "Xylotechnica",
            FitLine = "I built the DevSecOps pipeline Xylotechnica would need.",
            InterviewerNotes = new Dictionary<string, string> { [A.Priya.Address!] = "Natarajan's team and their Xylotechnica plans" },
        };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00")], facts: facts), _hunspell);
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s => Assert.True(s.Status == StepStatus.Due,
            string.Join(", ", (s.Review?.UnknownWords.Select(u => u.Word) ?? []).Concat(s.Review?.StyleIssues ?? []))));
    }

    [Fact]
    public void ShoutingInTheUsersTextNeedsReview()
    {
        var facts = new UserFacts { FitLine = "I would LOVE to join!!" };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00")], facts: facts), _hunspell);
        var review = plan.Of(StepKind.ThankYou).First().Review!;
        Assert.Contains(review.StyleIssues, i => i.Contains("\"!!\""));
        Assert.Contains(review.StyleIssues, i => i.Contains("\"LOVE\""));
    }

    [Fact]
    public void WithoutAFirstNameTheGreetingIsPlainAndTheStepNeedsReview()
    {
        var e = A.Interview("2026-03-10T10:00", with: [new EmailAddress(null, "ps@fabrikam.com")]);
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [e]), _hunspell);
        var note = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == "ps@fabrikam.com");
        Assert.StartsWith("Hello,", note.Mail!.BodyText);
        Assert.Equal(StepStatus.NeedsReview, note.Status);
    }

    [Fact]
    public void WithoutASpellCheckerThePlanSaysSo() =>
        Assert.Equal("unavailable", A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00")])).SpellCheck);
}
