using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>Greetings use a first name only when the display name is a person's; anything else gets "Hello,".</summary>
public class GreetingTests
{
    [Theory]
    [InlineData("Dana Whitfield", "dana.whitfield@fabrikam.com", "Dana")]
    [InlineData("Whitfield, Dana", "dwhitfield@fabrikam.com", "Dana")]
    [InlineData("Dr. Priya Natarajan", "pn@fabrikam.com", "Priya")]
    [InlineData("Jean-Luc O'Neil", "jl@fabrikam.com", "Jean-Luc")]
    [InlineData("", "dana.smith@fabrikam.com", "Dana")]
    [InlineData("José Núñez", "jose@fabrikam.es", "José")]
    public void APersonsNameGivesTheirFirstName(string name, string address, string first) =>
        Assert.Equal(first, People.FirstName(new EmailAddress(name, address)));

    [Theory]
    [InlineData("<img src=x onerror=alert(1)>", "dana.smith@fabrikam.com")]
    [InlineData("Recruiting Team", "recruiting@fabrikam.com")]
    [InlineData("Fabrikam Talent Acquisition", "talent@fabrikam.com")]
    [InlineData("HR", "hr@fabrikam.com")]
    [InlineData("Hiring Committee", "dana.smith@fabrikam.com")]
    [InlineData("12345", "x@fabrikam.com")]
    [InlineData("", "recruiting@fabrikam.com")]
    public void ADisplayNameThatIsNoPersonGetsNoFirstName(string name, string address) =>
        Assert.Null(People.FirstName(new EmailAddress(name, address)));

    [Fact]
    public void AThankYouToATeamMailboxSaysHelloAndNeedsNoLook()
    {
        var team = new EmailAddress("Recruiter", "recruiter@fabrikam.com");
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00", with: [team])]));
        var note = Assert.Single(plan.Of(StepKind.ThankYou), s => s.Recipients[0].Address == "recruiter@fabrikam.com");
        Assert.StartsWith("Hello,", note.Mail!.BodyText);
        Assert.Equal(StepStatus.Due, note.Status);
    }

    [Fact]
    public void AThankYouToAnAttendeeWithMarkupForANameSaysHello()
    {
        var odd = new EmailAddress("<img src=x>", "interviewer@fabrikam.com");
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00", with: [odd])]));
        var note = Assert.Single(plan.Of(StepKind.ThankYou), s => s.Recipients[0].Address == "interviewer@fabrikam.com");
        Assert.StartsWith("Hello,", note.Mail!.BodyText);
        Assert.DoesNotContain("<img", note.Mail.BodyText);
    }
}
