using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OutlookFollowUp.Api.SignIn;

/// <summary>Tokens from the local issuer: the demo's sign-in. Never available in Production.</summary>
public static class LocalTokens
{
    public static string Mint(LocalIssuerOptions issuer, string tenantId, string objectId, string address, string name, DateTimeOffset now, TimeSpan lifetime)
    {
        var handler = new JsonWebTokenHandler();
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer.Issuer,
            Audience = issuer.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Subject = new ClaimsIdentity([
                new Claim("tid", tenantId), new Claim("oid", objectId), new Claim("preferred_username", address),
                new Claim("name", name), new Claim("scp", new EntraOptions().Scope),
            ]),
            SigningCredentials = new SigningCredentials(SignInExtensions.LocalSigningKey(issuer), SecurityAlgorithms.HmacSha256),
        });
    }
}
