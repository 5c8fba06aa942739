namespace OutlookFollowUp.Engine;

// Who speaks for the employer (R5): the people met, their organization, their tracking system, their threads.
internal sealed partial class PlanBuilder
{
    private bool IsPerson(string? address) =>
        !string.IsNullOrWhiteSpace(address) && !People.IsRobot(address) && !People.SameAddress(address, _user.Address);

    /// <summary>R5: who speaks for the employer: the people met, anyone at their organization, and their ATS.</summary>
    private Func<Mail, bool> EmployerSide(List<Person> people, string? company)
    {
        var addresses = people.Select(p => p.Address).ToHashSet();
        if (_facts.ContactPerson?.Address is { } c) addresses.Add(People.Normalize(c));
        var mutual = People.Normalize(_facts.MutualConnection?.Address);
        var userOrg = People.IsFreeMail(_user.Address) ? "" : People.Organization(_user.Address);
        var orgs = addresses.Where(a => !People.IsFreeMail(a)).Select(People.Organization)
            .Where(o => o.Length > 0 && o != userOrg).ToHashSet();
        var name = company is { Length: > 2 } ? Text.ForMatching(company) : null;
        return m =>
        {
            if (m.From == mutual) return false;
            if (addresses.Contains(m.From)) return true;
            if (!People.IsFreeMail(m.From) && orgs.Contains(People.Organization(m.From))) return true;
            // Rejections often come from the applicant-tracking system's no-reply address, naming the company.
            return People.IsRecruitingService(m.From) && name is not null
                   && Text.ForMatching(Text.Subject(m.Message.Subject) + " " + Text.Plain(m.Message.Body, m.Message.BodyPreview)).Contains(name, StringComparison.Ordinal);
        };
    }
}
