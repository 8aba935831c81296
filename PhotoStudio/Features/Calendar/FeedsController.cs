using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using PhotoStudio.Features.Account;

namespace PhotoStudio.Features.Calendar;

/// <summary>
/// /feeds/{token}.ics: a staff member's calendar subscription. Calendar apps carry no cookie, so the token is the
/// credential and the owner's rights are checked again on every request (<see cref="CalendarFeeds.ReadAsync"/>).
/// Apps poll: the ETag lets an unchanged feed cost a 304 without a body.
/// </summary>
[AllowAnonymous]
[ChecksPermission(Permissions.BookingsViewOwn), ChecksPermission(Permissions.BookingsViewAll)]
public class FeedsController(CalendarFeeds feeds) : Controller
{
    [HttpGet("feeds/{token}.ics")]
    public async Task<IActionResult> Feed(string token, CancellationToken ct)
    {
        if (await feeds.ReadAsync(token, ct) is not { } ics) return NotFound();
        var body = Encoding.UTF8.GetBytes(ics);
        var etag = new EntityTagHeaderValue($"\"{Base64Url.EncodeToString(SHA256.HashData(body).AsSpan(0, 16))}\"");
        Response.GetTypedHeaders().ETag = etag;
        Response.Headers.CacheControl = "private, max-age=300";
        if (Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
            return StatusCode(StatusCodes.Status304NotModified);
        return File(body, "text/calendar; charset=utf-8");
    }
}
