using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Booking;

public record LostLinkForm
{
    [Required(ErrorMessage = "Enter the email address you booked with.")]
    [StringLength(256, ErrorMessage = "Please keep the email address to 256 characters or fewer.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string Email { get; init; } = "";

    [Required(ErrorMessage = "Enter your booking code.")]
    [StringLength(20, ErrorMessage = "Enter the code as it was shown to you, for example PS-7K3QX.")]
    [RegularExpression(@"^\s*[A-Za-z0-9-]+\s*$", ErrorMessage = "Enter the code as it was shown to you, for example PS-7K3QX.")]
    [Display(Name = "Booking code")]
    public string BookingCode { get; init; } = "";
}

public record LostLinkPage(LostLinkForm Form, bool Sent);

/// <summary>
/// /my without a token: a client who lost the manage link asks for a fresh one. The answer is the same redirect
/// whether or not the details match, so the form tells nobody whether an address booked here.
/// </summary>
[AllowAnonymous]
[Route("my")]
public class LostLinkController(LostLinks lostLinks, [FromKeyedServices(RateLimits.LostLinkPerBooking)] PartitionedRateLimiter<string> perBooking)
    : Controller
{
    [HttpGet("")]
    public IActionResult Index(bool sent = false) => View("LostLink", new LostLinkPage(new LostLinkForm(), sent));

    [HttpPost(""), EnableRateLimiting(RateLimits.LostLink)]
    public async Task<IActionResult> Send(LostLinkForm form, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("LostLink", new LostLinkPage(form, false));
        }

        var key = LostLinks.NormalizeEmail(form.Email) + "\n" + LostLinks.NormalizeCode(form.BookingCode);
        using var lease = perBooking.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            RateLimits.SetRetryAfter(Response, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(15));
            return StatusCode(StatusCodes.Status429TooManyRequests);
        }

        await lostLinks.RequestAsync(form.Email, form.BookingCode, ct);
        return this.SeeOther("/my?sent=true");
    }
}
