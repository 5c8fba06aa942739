using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;

namespace OutlookFollowUp.Api.SignIn;

public static class CurrentUser
{
    /// <summary>
    /// The signed-in user's record, made at their first request, found by tenant id + object id from the validated
    /// token only: no id a caller sends can select another user. Keeps their Graph grant for the sweep.
    /// </summary>
    public static async Task<UserRecord> GetAsync(HttpContext http, AppDb db, IGraphTokens tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var (tid, oid) = http.User.Identity();
        if (tid.Length == 0 || oid.Length == 0) throw new InvalidOperationException("the pane policy admits only tokens with tid and oid");
        var user = await db.Users.FirstOrDefaultAsync(u => u.TenantId == tid && u.ObjectId == oid, cancellationToken);
        if (user is null)
        {
            var now = time.GetUtcNow().UtcDateTime;
            user = new UserRecord
            {
                Id = Guid.NewGuid(), TenantId = tid, ObjectId = oid, CreatedUtc = now, NextSweepUtc = now,
                Address = http.User.FindFirstValue("preferred_username") ?? http.User.FindFirstValue("upn") ?? http.User.FindFirstValue("email"),
                DisplayName = http.User.FindFirstValue("name"),
            };
            db.Users.Add(user);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The same user's first two requests raced; the other one made the record.
                db.ChangeTracker.Clear();
                user = await db.Users.FirstAsync(u => u.TenantId == tid && u.ObjectId == oid, cancellationToken);
            }
        }
        var bearer = http.Request.Headers.Authorization.ToString();
        if (bearer.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            await tokens.RememberAsync(user, bearer["Bearer ".Length..].Trim(), cancellationToken);
        if (user.NeedsSignIn)
        {
            // The user is back with a fresh grant: the sweep resumes their mailbox now.
            user.NeedsSignIn = false;
            user.NextSweepUtc = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }
}
