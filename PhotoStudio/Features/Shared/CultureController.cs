using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Shared;

/// <summary>Remembers the chosen UI language in a cookie for a year.</summary>
[AllowAnonymous]
public class CultureController : Controller
{
    private static readonly string[] Supported = ["en", "ru"];

    /// <summary>
    /// No antiforgery token: the switcher is on the cached public pages too, which carry none (<see cref="PublicPages"/>).
    /// The post only sets the visitor's own language cookie.
    /// </summary>
    [HttpPost("culture"), IgnoreAntiforgeryToken]
    public IActionResult Set(string culture, string? returnUrl)
    {
        if (!Supported.Contains(culture)) culture = "en";
        Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true, Secure = Request.IsHttps });
        return this.GoTo(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
