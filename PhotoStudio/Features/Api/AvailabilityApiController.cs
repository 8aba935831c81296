using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Api;

/// <summary>A service clients can book.</summary>
/// <param name="Id">The service's id, for <c>serviceId</c> in availability and bookings.</param>
/// <param name="Name">The name clients see.</param>
/// <param name="Description">What the session includes.</param>
/// <param name="DurationMinutes">How long the session lasts.</param>
/// <param name="Price">The price in the studio's currency.</param>
/// <param name="Currency">ISO 4217 code of the studio's currency.</param>
/// <param name="NeedsPhotographer">Whether a photographer is booked with the room.</param>
/// <param name="RoomIds">The rooms the service may use.</param>
/// <param name="PhotographerIds">The photographers who offer it (empty when it needs none).</param>
public record ApiService(int Id, string Name, string Description, int DurationMinutes, decimal Price, string Currency, bool NeedsPhotographer,
    IReadOnlyList<int> RoomIds, IReadOnlyList<int> PhotographerIds);

/// <summary>A room of the studio.</summary>
/// <param name="Id">The room's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Capacity">How many people it holds.</param>
public record ApiRoom(int Id, string Name, int Capacity);

/// <summary>A photographer clients can book.</summary>
/// <param name="Id">The photographer's id.</param>
/// <param name="Name">Their name as clients see it.</param>
public record ApiPhotographer(int Id, string Name);

/// <summary>A free slot: the service fits in this room, with this photographer, at this time.</summary>
/// <param name="Start">The session's start, in UTC.</param>
/// <param name="End">The session's end, in UTC.</param>
/// <param name="LocalStart">The same start on the studio's clock, with its offset.</param>
/// <param name="RoomId">The room the slot is in.</param>
/// <param name="PhotographerId">The photographer who is free then (null for a service without one).</param>
public record ApiSlot(DateTime Start, DateTime End, DateTimeOffset LocalStart, int RoomId, int? PhotographerId);

/// <summary>Free slots for a service over a period of the studio's local dates.</summary>
/// <param name="ServiceId">The service asked about.</param>
/// <param name="TimeZone">The studio's IANA time zone: the dates and <c>localStart</c> are on its clock.</param>
/// <param name="From">The first local date searched.</param>
/// <param name="To">The last local date searched (included).</param>
/// <param name="Slots">Every free slot, by start; the same ones the booking wizard offers.</param>
public record ApiAvailability(int ServiceId, string TimeZone, DateOnly From, DateOnly To, IReadOnlyList<ApiSlot> Slots);

/// <summary>The catalogue and free times, as the booking wizard shows them to clients: any valid key may read them.</summary>
[Route("api/v1")]
[Tags("Availability")]
[Microsoft.AspNetCore.Authorization.Authorize(Policy = ApiSetup.AnyKeyPolicy)]
public class AvailabilityApiController(StudioDb db, BookingService booking, StudioDay studioDay) : ApiControllerBase
{
    /// <summary>The longest period one availability request may cover, in days.</summary>
    public const int MaxDays = 62;

    /// <summary>List the services clients can book.</summary>
    [HttpGet("services", Name = "listServices")]
    [ProducesResponseType<IReadOnlyList<ApiService>>(StatusCodes.Status200OK)]
    public async Task<IReadOnlyList<ApiService>> Services(CancellationToken ct)
    {
        var currency = (await studioDay.ClockAsync(ct)).Settings.Currency;
        return await db.Services.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Price).ThenBy(s => s.Id)
            .Select(s => new ApiService(s.Id, s.Name, s.Description, s.DurationMinutes, s.Price, currency, s.NeedsPhotographer,
                db.ServiceRooms.Where(x => x.ServiceId == s.Id && x.Room!.IsActive).OrderBy(x => x.RoomId).Select(x => x.RoomId).ToList(),
                s.NeedsPhotographer
                    ? db.ServiceEmployees.Where(x => x.ServiceId == s.Id && x.Employee!.IsActive).OrderBy(x => x.EmployeeId).Select(x => x.EmployeeId).ToList()
                    : new List<int>()))
            .ToListAsync(ct);
    }

    /// <summary>List the studio's active rooms.</summary>
    [HttpGet("rooms", Name = "listRooms")]
    [ProducesResponseType<IReadOnlyList<ApiRoom>>(StatusCodes.Status200OK)]
    public async Task<IReadOnlyList<ApiRoom>> Rooms(CancellationToken ct) =>
        await db.Rooms.AsNoTracking().Where(r => r.IsActive).OrderBy(r => r.Name).ThenBy(r => r.Id)
            .Select(r => new ApiRoom(r.Id, r.Name, r.Capacity)).ToListAsync(ct);

    /// <summary>List the active photographers who offer at least one active service.</summary>
    [HttpGet("photographers", Name = "listPhotographers")]
    [ProducesResponseType<IReadOnlyList<ApiPhotographer>>(StatusCodes.Status200OK)]
    public async Task<IReadOnlyList<ApiPhotographer>> Photographers(CancellationToken ct) =>
        await db.Employees.AsNoTracking()
            .Where(e => e.IsActive && db.ServiceEmployees.Any(x => x.EmployeeId == e.Id && db.Services.Any(s => s.Id == x.ServiceId && s.IsActive && s.NeedsPhotographer)))
            .OrderBy(e => e.FullName).ThenBy(e => e.Id)
            .Select(e => new ApiPhotographer(e.Id, e.FullName)).ToListAsync(ct);

    /// <summary>Find free slots for a service.</summary>
    /// <remarks>
    /// The same slots the booking wizard offers: opening hours, closures, room buffers, photographers' hours and time
    /// off, the minimum notice and the booking horizon all apply. Dates are the studio's local dates (see
    /// <c>timeZone</c>); at most 62 days per request.
    /// </remarks>
    /// <param name="serviceId">The service to book.</param>
    /// <param name="from">The first local date, <c>yyyy-MM-dd</c>.</param>
    /// <param name="to">The last local date (included), <c>yyyy-MM-dd</c>; at most 61 days after <c>from</c>.</param>
    /// <param name="roomId">Only this room.</param>
    /// <param name="photographerId">Only this photographer.</param>
    /// <param name="ct">Aborted with the request.</param>
    [HttpGet("availability", Name = "getAvailability")]
    [ProducesResponseType<ApiAvailability>(StatusCodes.Status200OK)]
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IActionResult> Availability([FromQuery] int serviceId, [FromQuery] DateOnly from, [FromQuery] DateOnly to,
        [FromQuery] int? roomId, [FromQuery] int? photographerId, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SaneDates.Contains(from)) errors["from"] = [$"A date between {SaneDates.Earliest:yyyy-MM-dd} and {SaneDates.Latest:yyyy-MM-dd}."];
        if (!SaneDates.Contains(to)) errors["to"] = [$"A date between {SaneDates.Earliest:yyyy-MM-dd} and {SaneDates.Latest:yyyy-MM-dd}."];
        else if (to < from) errors["to"] = ["Not before 'from'."];
        else if (to.DayNumber - from.DayNumber >= MaxDays) errors["to"] = [$"At most {MaxDays} days from 'from'."];
        if (errors.Count > 0) return Invalid(errors);

        if (await booking.InputsAsync(serviceId, from, to, ct) is not { } inputs)
            return Invalid(new() { ["serviceId"] = ["No active service has this id."] });
        if (roomId is { } room && !inputs.Requirements.RoomIds.Contains(room))
            return Invalid(new() { ["roomId"] = ["This service cannot use this room."] });
        if (photographerId is { } photographer && !inputs.Requirements.PhotographerIds.Contains(photographer))
            return Invalid(new() { ["photographerId"] = ["This photographer does not offer this service."] });

        var slots = booking.Slots(inputs, from, to, roomId, photographerId).All
            .Select(s => new ApiSlot(s.StartUtc, s.EndUtc, s.LocalStart, s.RoomId, s.PhotographerId)).ToList();
        return Ok(new ApiAvailability(serviceId, inputs.Studio.TimeZone, from, to, slots));
    }
}
