using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.FrontDesk;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Api;

/// <summary>A booking as the API shows it. Its <c>version</c> is also the response's ETag.</summary>
/// <param name="Id">The booking's id.</param>
/// <param name="Code">The code the client sees (PS-XXXXX).</param>
/// <param name="Status">Pending, Confirmed, Shooting, Editing, Delivered, Cancelled or NoShow.</param>
/// <param name="ServiceId">The service booked.</param>
/// <param name="Service">The service's name.</param>
/// <param name="RoomId">The room.</param>
/// <param name="PhotographerId">The photographer, or null for a service without one.</param>
/// <param name="Start">The session's start, UTC.</param>
/// <param name="End">The session's end, UTC.</param>
/// <param name="LocalStart">The start on the studio's clock, with its offset.</param>
/// <param name="Guests">How many people come.</param>
/// <param name="Price">The price agreed when it was booked.</param>
/// <param name="Currency">ISO 4217 code of the price.</param>
/// <param name="ClientId">The client (see /api/v1/clients).</param>
/// <param name="ClientNotes">What the client asked for.</param>
/// <param name="Source">Where the booking came from: web, phone, walk-in, email, other, api.</param>
/// <param name="Language">The language messages to the client are in (en, ru).</param>
/// <param name="CreatedAt">When it was made, UTC.</param>
/// <param name="UpdatedAt">When it last changed, UTC.</param>
/// <param name="Version">The row version: send it back as If-Match to change the booking.</param>
public record ApiBooking(int Id, string Code, string Status, int ServiceId, string Service, int RoomId, int? PhotographerId,
    DateTime Start, DateTime End, DateTimeOffset LocalStart, int Guests, decimal Price, string Currency, int ClientId, string ClientNotes,
    string Source, string Language, DateTime CreatedAt, DateTime UpdatedAt, uint Version);

/// <summary>A page of bookings and the cursor of the next one.</summary>
/// <param name="Items">The bookings of this page, by id.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public record ApiBookingPage(IReadOnlyList<ApiBooking> Items, string? NextCursor);

/// <summary>A new client, made with the booking (an existing email means that client).</summary>
public record ApiNewClient(
    [Required, StringLength(200)] string Name,
    [Required, EmailAddress, StringLength(254)] string Email,
    [StringLength(40)] string? Phone = null);

/// <summary>A booking to make: a free slot of <c>GET /api/v1/availability</c> and the client.</summary>
/// <param name="ServiceId">The service.</param>
/// <param name="Start">The start, UTC (one of the slots availability offers).</param>
/// <param name="RoomId">The room; omit for any room the service may use.</param>
/// <param name="PhotographerId">The photographer; omit for anyone who offers the service.</param>
/// <param name="Guests">How many people come (1–100, at most what the room holds).</param>
/// <param name="ClientId">An existing client; or give <c>client</c>.</param>
/// <param name="Client">A new client (an email already known means that client).</param>
/// <param name="ClientNotes">What the client asked for.</param>
/// <param name="Status">Confirmed (default) or Pending.</param>
/// <param name="Language">en (default) or ru: the language of the client's messages.</param>
/// <param name="SendConfirmation">Whether the client is sent the confirmation (default true).</param>
public record ApiNewBooking(
    int ServiceId,
    DateTime Start,
    int? RoomId = null,
    int? PhotographerId = null,
    [Range(1, 100)] int Guests = 1,
    int? ClientId = null,
    ApiNewClient? Client = null,
    [StringLength(2000)] string? ClientNotes = null,
    [StringLength(10)] string Status = "Confirmed",
    [StringLength(2)] string Language = "en",
    bool SendConfirmation = true);

/// <summary>A move on the board.</summary>
/// <param name="Status">The status to move to (the board's rules: Pending → Confirmed → Shooting → Editing → Delivered; Cancelled and NoShow end it).</param>
/// <param name="Reason">Why; required for Cancelled and NoShow.</param>
public record ApiStatusChange([Required, StringLength(10)] string Status, [StringLength(500)] string? Reason = null);

/// <summary>A cancellation by the studio.</summary>
/// <param name="Reason">Why (kept in the booking's history).</param>
public record ApiCancellation([Required, StringLength(500)] string Reason);

/// <summary>Another time, room or photographer for a booking.</summary>
/// <param name="Start">The new start, UTC.</param>
/// <param name="RoomId">The room; omit to keep it.</param>
/// <param name="PhotographerId">The photographer; omit to keep them.</param>
public record ApiReschedule(DateTime Start, int? RoomId = null, int? PhotographerId = null);

/// <summary>
/// Bookings: made over the same rules as the front desk (free slot, capacity, the exclusion constraints settle a race),
/// moved through the board's state machine, rescheduled like a reassignment, with the row version as ETag.
/// </summary>
[Route("api/v1/bookings")]
[Tags("Bookings")]
public class BookingsApiController(StudioDb db, FrontDeskService desk, BoardService board, StudioDay studioDay, ApiRepresentations representations,
    TimeProvider clock)
    : ApiControllerBase
{
    public const int MaxPage = 200;
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Make a booking.</summary>
    /// <remarks>
    /// Send an <c>Idempotency-Key</c> (up to 100 visible ASCII characters) to retry safely: the same key with the same
    /// request answers with the booking the first one made (201, <c>Idempotency-Replayed: true</c>); the same key with
    /// another request is refused (422). A time someone else took is 409.
    /// </remarks>
    /// <param name="request">The booking.</param>
    /// <param name="ct">Aborted with the request.</param>
    [HttpPost("", Name = "createBooking")]
    [Authorize(Policy = Permissions.BookingsManage)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status201Created)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public async Task<IActionResult> Create([FromBody] ApiNewBooking request, CancellationToken ct)
    {
        var idempotency = Request.Headers[IdempotencyHeader].ToString();
        if (idempotency.Length > ApiIdempotencyKey.KeyLength || idempotency.Any(c => c is < '!' or > '~'))
            return Invalid(new() { [IdempotencyHeader] = [$"Up to {ApiIdempotencyKey.KeyLength} visible ASCII characters."] });
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request));
        if (idempotency.Length > 0 && await ReplayAsync(idempotency, hash, ct) is { } earlier) return earlier;

        if (request.Start.Kind == DateTimeKind.Unspecified || !SaneDates.Contains(request.Start) || request.Start.Second != 0 || request.Start.Millisecond != 0)
            return Invalid(new() { ["start"] = ["A UTC time (ending in Z or +00:00) on a whole minute, as availability gives it."] });
        var studio = await studioDay.ClockAsync(ct);
        var local = studio.ToLocal(request.Start.ToUniversalTime());
        var form = new FrontDeskForm
        {
            ServiceId = request.ServiceId, RoomId = request.RoomId, PhotographerId = request.PhotographerId, Guests = request.Guests,
            Date = local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Time = local.ToString("HH:mm", CultureInfo.InvariantCulture),
            ClientId = request.ClientId, NewName = request.Client?.Name, NewEmail = request.Client?.Email, NewPhone = request.Client?.Phone,
            ClientNotes = request.ClientNotes, Status = request.Status, Language = request.Language, SendConfirmation = request.SendConfirmation,
            Source = FrontDeskForm.ApiSource,
        };
        var outcome = await desk.CreateAsync(form, Staff.From(User), mayOverride: false, ct, (write, booking) =>
        {
            if (idempotency.Length == 0) return;
            write.Db.ApiIdempotencyKeys.Add(new ApiIdempotencyKey
            {
                ApiKeyId = KeyId, Key = idempotency, RequestHash = hash, Booking = booking, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            // The same key sent twice at once: one booking commits, the other rolls back and answers as a replay.
            write.OnViolation("pk_api_idempotency_keys", Outcome.Because(IdempotencyHeader));
        });
        if (outcome is Outcome.Refused { Reason.Key: IdempotencyHeader } && await ReplayAsync(idempotency, hash, ct) is { } replay) return replay;
        return await AnswerAsync(outcome, async done =>
        {
            var id = ((Outcome.Done<Data.Booking>)done).Value.Id;
            return await CreatedAsync(id, ct);
        }, BookingField);
    }

    /// <summary>The answer an idempotency key already has, or null when it has none.</summary>
    private async Task<IActionResult?> ReplayAsync(string key, byte[] hash, CancellationToken ct)
    {
        var keyId = KeyId;
        var earlier = await db.ApiIdempotencyKeys.AsNoTracking().Where(k => k.ApiKeyId == keyId && k.Key == key)
            .Select(k => new { k.RequestHash, k.BookingId }).FirstOrDefaultAsync(ct);
        if (earlier is null) return null;
        if (!earlier.RequestHash.AsSpan().SequenceEqual(hash))
            return Invalid(new() { [IdempotencyHeader] = ["This key was used with a different request. Use a new key for a new booking."] });
        Response.Headers["Idempotency-Replayed"] = "true";
        return await CreatedAsync(earlier.BookingId, ct);
    }

    private async Task<IActionResult> CreatedAsync(int id, CancellationToken ct)
    {
        var booking = (await QueryAsync(db.Bookings.Where(b => b.Id == id), ct)).Single();
        Response.Headers.ETag = ETag(booking.Version);
        return Created($"/api/v1/bookings/{id}", booking);
    }

    /// <summary>Get a booking by its id.</summary>
    [HttpGet("{id:int}", Name = "getBooking")]
    [Authorize(Policy = Permissions.BookingsViewAll)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public Task<IActionResult> Get(int id, CancellationToken ct) => OneAsync(db.Bookings.Where(b => b.Id == id), ct);

    /// <summary>Get a booking by its code.</summary>
    [HttpGet("by-code/{code}", Name = "getBookingByCode")]
    [Authorize(Policy = Permissions.BookingsViewAll)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public Task<IActionResult> ByCode(string code, CancellationToken ct) =>
        OneAsync(db.Bookings.Where(b => b.Code == (code.Length <= 16 ? code.ToUpperInvariant() : "")), ct);

    private async Task<IActionResult> OneAsync(IQueryable<Data.Booking> query, CancellationToken ct)
    {
        if ((await QueryAsync(query, ct)).SingleOrDefault() is not { } booking)
            return Refuse(StatusCodes.Status404NotFound, "There is no such booking.");
        Response.Headers.ETag = ETag(booking.Version);
        return Ok(booking);
    }

    /// <summary>List bookings.</summary>
    /// <remarks>By id, a page at a time: follow <c>nextCursor</c> until it is null. With <c>updatedSince</c> an integration
    /// keeps a copy in sync (remember the largest <c>updatedAt</c> seen).</remarks>
    /// <param name="status">Only bookings in this status.</param>
    /// <param name="from">Only sessions starting at or after this UTC time.</param>
    /// <param name="to">Only sessions starting before this UTC time.</param>
    /// <param name="roomId">Only this room.</param>
    /// <param name="photographerId">Only this photographer.</param>
    /// <param name="clientId">Only this client.</param>
    /// <param name="updatedSince">Only bookings changed at or after this UTC time.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the page before.</param>
    /// <param name="limit">Bookings per page, 1–200 (default 50).</param>
    /// <param name="ct">Aborted with the request.</param>
    [HttpGet("", Name = "listBookings")]
    [Authorize(Policy = Permissions.BookingsViewAll)]
    [ProducesResponseType<ApiBookingPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IActionResult> List(string? status, DateTime? from, DateTime? to, int? roomId, int? photographerId, int? clientId,
        DateTime? updatedSince, string? cursor, int limit = 50, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        BookingStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<BookingStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _)) wanted = parsed;
            else errors["status"] = [$"One of {string.Join(", ", Enum.GetNames<BookingStatus>())}."];
        }
        var after = 0;
        if (cursor is not null && !(int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) && after >= 0))
            errors["cursor"] = ["Pass the nextCursor of the page before, as it was."];
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"From 1 to {MaxPage}."];
        if (errors.Count > 0) return Invalid(errors);

        var query = db.Bookings.Where(b => b.Id > after);
        if (wanted is { } s) query = query.Where(b => b.Status == s);
        if (from is { } f) query = query.Where(b => b.StartsAt >= Utc(f));
        if (to is { } t) query = query.Where(b => b.StartsAt < Utc(t));
        if (roomId is { } r) query = query.Where(b => b.RoomId == r);
        if (photographerId is { } p) query = query.Where(b => b.PhotographerId == p);
        if (clientId is { } c) query = query.Where(b => b.ClientId == c);
        if (updatedSince is { } u) query = query.Where(b => b.UpdatedAt >= Utc(u));
        var page = await QueryAsync(query.OrderBy(b => b.Id).Take(limit + 1), ct);
        var more = page.Count > limit;
        var items = page.Take(limit).ToList();
        return Ok(new ApiBookingPage(items, more ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    /// <summary>Move a booking to another status.</summary>
    /// <remarks>Needs <c>If-Match</c> with the booking's ETag. Cancelling needs <c>bookings.manage</c> too.</remarks>
    [HttpPost("{id:int}/status", Name = "moveBooking")]
    [Authorize(Policy = Permissions.BookingsMove)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status428PreconditionRequired, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Move(int id, [FromBody] ApiStatusChange request, CancellationToken ct)
    {
        var (version, refusal) = IfMatch();
        if (refusal is not null) return refusal;
        if (!Enum.TryParse<BookingStatus>(request.Status, ignoreCase: true, out var to) || !Enum.IsDefined(to) || int.TryParse(request.Status, out _))
            return Invalid(new() { ["status"] = [$"One of {string.Join(", ", Enum.GetNames<BookingStatus>())}."] });
        var outcome = await board.MoveAsync(id, to, version!.Value, request.Reason, Staff.From(User), ct);
        return await AnswerAsync(outcome, _ => OneAsync(db.Bookings.Where(b => b.Id == id), ct));
    }

    /// <summary>Cancel a booking (the client is told).</summary>
    /// <remarks>Needs <c>If-Match</c> with the booking's ETag.</remarks>
    [HttpPost("{id:int}/cancel", Name = "cancelBooking")]
    [Authorize(Policy = Permissions.BookingsManage)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status428PreconditionRequired, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Cancel(int id, [FromBody] ApiCancellation request, CancellationToken ct)
    {
        var (version, refusal) = IfMatch();
        if (refusal is not null) return refusal;
        var outcome = await board.MoveAsync(id, BookingStatus.Cancelled, version!.Value, request.Reason, Staff.From(User), ct);
        return await AnswerAsync(outcome, _ => OneAsync(db.Bookings.Where(b => b.Id == id), ct));
    }

    /// <summary>Move a booking to another time, room or photographer.</summary>
    /// <remarks>Needs <c>If-Match</c>. The new time must be free, as availability would offer it (the notice and horizon
    /// of clients do not apply); a time someone else took is 409.</remarks>
    [HttpPost("{id:int}/reschedule", Name = "rescheduleBooking")]
    [Authorize(Policy = Permissions.BookingsManage)]
    [ProducesResponseType<ApiBooking>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status412PreconditionFailed, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status428PreconditionRequired, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Reschedule(int id, [FromBody] ApiReschedule request, CancellationToken ct)
    {
        var (version, refusal) = IfMatch();
        if (refusal is not null) return refusal;
        if (request.Start.Kind == DateTimeKind.Unspecified || !SaneDates.Contains(request.Start))
            return Invalid(new() { ["start"] = ["A UTC time (ending in Z or +00:00)."] });
        var current = await db.Bookings.Where(b => b.Id == id).Select(b => new { b.RoomId, b.PhotographerId }).FirstOrDefaultAsync(ct);
        if (current is null) return Refuse(StatusCodes.Status404NotFound, "There is no such booking.");
        var local = (await studioDay.ClockAsync(ct)).ToLocal(request.Start.ToUniversalTime());
        var outcome = await board.ReassignAsync(id, version!.Value, request.RoomId ?? current.RoomId, request.PhotographerId ?? current.PhotographerId,
            DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local), Staff.From(User), ct);
        return await AnswerAsync(outcome, _ => OneAsync(db.Bookings.Where(b => b.Id == id), ct));
    }

    /// <summary>A filter's instant as UTC: one written without an offset is read as UTC, never as the server's zone.</summary>
    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime();

    /// <summary>The front desk's field names in the API's terms.</summary>
    private static string BookingField(string field) => field switch
    {
        nameof(FrontDeskForm.Date) or nameof(FrontDeskForm.Time) or nameof(FrontDeskForm.TypedTime) => "start",
        nameof(FrontDeskForm.NewName) => "client.name",
        nameof(FrontDeskForm.NewEmail) => "client.email",
        nameof(FrontDeskForm.NewPhone) => "client.phone",
        _ => Camel(field),
    };

    private Task<List<ApiBooking>> QueryAsync(IQueryable<Data.Booking> query, CancellationToken ct) => representations.BookingsAsync(query, ct);
}
