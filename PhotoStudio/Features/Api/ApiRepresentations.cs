using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;

namespace PhotoStudio.Features.Api;

/// <summary>Bookings and clients as the API and the webhooks show them: one shape wherever an integration reads one.</summary>
public sealed class ApiRepresentations(StudioDay studioDay)
{
    public async Task<List<ApiBooking>> BookingsAsync(IQueryable<Data.Booking> query, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var rows = await query.AsNoTracking().Select(b => new
        {
            b.Id, b.Code, b.Status, b.ServiceId, Service = b.Service!.Name, b.RoomId, b.PhotographerId, b.StartsAt, b.EndsAt, b.Guests,
            b.Price, b.Currency, b.ClientId, b.ClientNotes, b.Source, b.Language, b.CreatedAt, b.UpdatedAt, b.Version,
        }).ToListAsync(ct);
        return [.. rows.Select(b => new ApiBooking(b.Id, b.Code, b.Status.ToString(), b.ServiceId, b.Service, b.RoomId, b.PhotographerId,
            b.StartsAt, b.EndsAt, studio.ToLocalOffset(b.StartsAt), b.Guests, b.Price, b.Currency, b.ClientId, b.ClientNotes, b.Source,
            b.Language, b.CreatedAt, b.UpdatedAt, b.Version))];
    }

    public static IQueryable<ApiClient> Clients(IQueryable<Client> query) => query.AsNoTracking()
        .Select(c => new ApiClient(c.Id, c.Name, c.Email, c.Phone, c.Notes, c.Tags, c.MarketingOptIn, c.Source, c.CreatedAt, c.Version));
}
