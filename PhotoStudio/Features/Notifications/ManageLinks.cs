using Microsoft.AspNetCore.DataProtection;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Links that leave the site by email, built from the public address (<c>PHOTOSTUDIO_PUBLIC_URL</c>); without one
/// (Development, Testing) from http://localhost:5080, where ./ops/run serves. Also seals manage tokens with the
/// data-protection keys, so a message sent days later (a reminder) can still carry the client's link.
/// </summary>
public sealed class ManageLinks(PublicLinks publicLinks, IDataProtectionProvider protection)
{
    public const string DevelopmentUrl = "http://localhost:5080";

    private readonly IDataProtector protector = protection.CreateProtector("PhotoStudio.ManageToken.v1");

    public Uri BaseUrl => publicLinks.PublicUrl ?? new Uri(DevelopmentUrl);

    /// <summary>The host messages are identified by (Message-ID, calendar UIDs).</summary>
    public string Host => BaseUrl.IdnHost;

    public string Absolute(string path) => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path;

    public string Seal(string token) => protector.Protect(token);

    /// <summary>The client's manage link, or the lost-link page when the booking has no sealed token (made before messages existed).</summary>
    public string ManageUrl(string? sealedToken)
    {
        if (sealedToken is null) return Absolute("/my");
        try
        {
            return Absolute("/my/" + protector.Unprotect(sealedToken));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Absolute("/my"); // its key is gone: the client can ask for a fresh link there
        }
    }
}
