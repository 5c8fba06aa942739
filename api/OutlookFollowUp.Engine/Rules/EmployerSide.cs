namespace OutlookFollowUp.Engine;

// Who speaks for the employer (R5), and who is the user: the people met and named, anyone at their organization, a
// tracking system or no-reply sender that names the company or the role, anyone answering in a thread the user wrote
// to them; the user's aliases and the mailboxes the user writes on behalf of are the user, never the employer.
internal sealed partial class PlanBuilder
{
    private HashSet<string>? _userAddresses;

    /// <summary>The user's address and aliases (Graph's proxyAddresses come as "SMTP:a@b" or "smtp:a@b").</summary>
    private HashSet<string> UserAddresses => _userAddresses ??= new[] { _user.Address }.Concat(_user.Aliases ?? [])
        .Select(a => a ?? "").Select(a => People.Normalize(a.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase) ? a[5..] : a))
        .Where(a => a.Contains('@')).ToHashSet(StringComparer.Ordinal);

    private bool IsUser(string? address) => UserAddresses.Contains(People.Normalize(address));

    private bool IsPerson(string? address) =>
        !string.IsNullOrWhiteSpace(address) && !People.IsRobot(address) && !IsUser(address);

    /// <summary>
    /// The company when the user has not said: a name written out by the employer (an organizer or interviewer's
    /// display name such as "Northwind Traders Recruiting", a sign-off in the invite such as "The Northwind Traders
    /// team") wins over one guessed from an address, since "northwindtraders.com" cannot tell where the words part.
    /// </summary>
    private string? CompanyOf(List<Interview> interviews, List<Person> people)
    {
        if (_facts.Company is { Length: > 0 } said) return said;
        var fromDomain = people.Select(p => People.CompanyFromDomain(p.Address)).FirstOrDefault(c => c is not null);
        var names = interviews.SelectMany(i => new[] { i.Event.Organizer?.EmailAddress?.Name }
                .Concat((i.Event.Attendees ?? []).Where(a => !People.IsRoom(a) && !IsUser(a.EmailAddress?.Address)).Select(a => a.EmailAddress?.Name)))
            .Select(n => Text.CompanyInName(n ?? ""))
            .Concat(interviews.Select(i => Text.CompanyInSignOff(Text.Plain(i.Event.Body, i.Event.BodyPreview))))
            .Where(n => n is not null).Select(n => n!).ToList();
        // A written name that is the domain's, or any written name when no domain tells one.
        return names.FirstOrDefault(n => fromDomain is not null && Text.Squash(n) == Text.Squash(fromDomain))
               ?? fromDomain ?? names.FirstOrDefault();
    }

    /// <summary>Addresses that speak for the employer: the people met and named, and their organizations.</summary>
    private Func<string, bool> EmployerAddresses(List<Person> people)
    {
        var addresses = people.Select(p => p.Address).ToHashSet();
        if (_facts.ContactPerson?.Address is { } c) addresses.Add(People.Normalize(c));
        var mutual = People.Normalize(_facts.MutualConnection?.Address);
        var userOrgs = UserAddresses.Where(a => !People.IsFreeMail(a)).Select(People.Organization).ToHashSet();
        var orgs = addresses.Where(a => !People.IsFreeMail(a) && !People.IsRecruitingService(a)).Select(People.Organization)
            .Where(o => o.Length > 0 && !userOrgs.Contains(o)).ToHashSet();
        return a => a.Length > 0 && a != mutual && !IsUser(a)
                    && (addresses.Contains(a) || !People.IsFreeMail(a) && !People.IsRecruitingService(a) && orgs.Contains(People.Organization(a)));
    }

    /// <summary>R5: is this message the employer's? <paramref name="employer"/> tells the employer's addresses.</summary>
    private Func<Mail, bool> EmployerSide(Func<string, bool> employer, string? company, string? role, List<Mail> messages)
    {
        // Threads the user wrote to the employer: an answer in one is theirs, even from an address not met before and
        // with the subject changed (Outlook then starts a new conversationId; In-Reply-To and References stay).
        var toThem = messages.Where(m => m.Mine && m.Message.IsDraft != true && m.To.Any(employer)).ToList();
        var conversations = toThem.Select(m => m.Message.ConversationId).Where(c => !string.IsNullOrEmpty(c)).ToHashSet(StringComparer.Ordinal);
        var ids = toThem.Select(m => m.MessageId).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        var mutual = People.Normalize(_facts.MutualConnection?.Address);
        var companyWords = company is { Length: > 2 } ? Text.Squash(company) : null;
        var roleWords = role is { Length: > 5 } ? Text.Squash(role) : null;
        return m =>
        {
            if (m.Mine || m.From == mutual) return false;
            if (employer(m.From)) return true;
            if (People.IsRobot(m.From))
            {
                // A tracking system or no-reply sender writes for the company when its name or its text names the
                // company (or the role): "Northwind Traders <no-reply@greenhouse-mail.io>".
                if (companyWords is null && roleWords is null) return false;
                if (company is not null && People.CarriesName(m.Message.From?.EmailAddress, company)) return true;
                if (!People.IsRecruitingService(m.From)) return false;
                var text = Text.Squash(Text.Subject(m.Message.Subject) + " " + Text.Plain(m.Message.Body, m.Message.BodyPreview));
                return companyWords is { Length: >= 4 } && text.Contains(companyWords, StringComparison.Ordinal)
                       || roleWords is not null && text.Contains(roleWords, StringComparison.Ordinal);
            }
            return m.Message.ConversationId is { Length: > 0 } conv && conversations.Contains(conv)
                   || m.References.Any(ids.Contains);
        };
    }
}
