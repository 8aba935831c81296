using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>An endpoint as /admin/integrations lists it: never its secret, which its creator saw once.</summary>
public record WebhookRow(int Id, string Url, IReadOnlyList<string> Events, bool Enabled, DateTime? FailingSince, string DisabledReason,
    DateTime CreatedAt, int Pending, int Failed);

/// <summary>One delivery in the log: what, where, how it went.</summary>
public record DeliveryRow(long Id, long EventId, string Type, int ResourceId, string Url, WebhookDeliveryStatus Status, int Attempts,
    int? LastStatusCode, string LastError, DateTime CreatedAt, DateTime? DeliveredAt, DateTime NextAttemptAt);

/// <summary>
/// Webhook endpoints: an address, the events it wants, and a signing secret (<c>whsec_</c> and 32 random characters)
/// shown once and kept sealed with the data-protection keys, since the sender needs it back to sign. The events
/// themselves are written by the bookings' and clients' triggers; the deliveries are sent by <see cref="WebhookSender"/>.
/// </summary>
public sealed class Webhooks(StudioDb db, StudioWrites writes, WebhookTargets targets, IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> EventTypes =
    [
        "booking.created", "booking.updated", "booking.status_changed", "booking.cancelled",
        "client.created", "client.updated", "client.erased",
    ];

    public const int LogSize = 50;

    private readonly IDataProtector protector = protection.CreateProtector("PhotoStudio.WebhookSecret.v1");

    public string Unseal(string sealedSecret) => protector.Unprotect(sealedSecret);

    public async Task<IReadOnlyList<WebhookRow>> EndpointsAsync(CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new WebhookRow(e.Id, e.Url, e.Events, e.Enabled, e.FailingSince, e.DisabledReason, e.CreatedAt,
                db.WebhookDeliveries.Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Pending),
                db.WebhookDeliveries.Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Failed)))
            .ToListAsync(ct);

    /// <summary>The latest deliveries, newest first.</summary>
    public async Task<IReadOnlyList<DeliveryRow>> LogAsync(CancellationToken ct) =>
        await db.WebhookDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(LogSize)
            .Select(d => new DeliveryRow(d.Id, d.EventId, d.Event!.Type, d.Event.ResourceId, d.Endpoint!.Url, d.Status, d.Attempts,
                d.LastStatusCode, d.LastError, d.CreatedAt, d.DeliveredAt, d.NextAttemptAt))
            .ToListAsync(ct);

    /// <summary>Adds an endpoint; the result holds its secret, shown this once.</summary>
    public async Task<Outcome> CreateAsync(ClaimsPrincipal creator, string? url, IReadOnlyCollection<string> events, CancellationToken ct)
    {
        if (targets.Refusal(url) is { } refusal) return Outcome.Field("Url", refusal);
        if (events.Count == 0) return Outcome.Field("Events", "Choose at least one event.");
        if (events.Except(EventTypes).Any()) return Outcome.Field("Events", "Choose among the events listed.");
        var userId = creator.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return Outcome.Forbid("Sign in again, please.");
        var secret = "whsec_" + ApiKeys.NewKey()[^32..];
        var endpoint = new WebhookEndpoint
        {
            Url = url!.Trim(), SecretSealed = protector.Protect(secret), Events = [.. EventTypes.Where(events.Contains)],
            CreatedByUserId = userId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return await writes.RunAsync(write =>
        {
            write.Db.WebhookEndpoints.Add(endpoint);
            return Outcome.With(secret);
        }, ct);
    }

    /// <summary>Switches an endpoint on (its failures forgotten, so it gets a fresh day) or off.</summary>
    public async Task<Outcome> SetEnabledAsync(int id, bool enabled, CancellationToken ct) =>
        await writes.RunAsync(async write =>
        {
            var endpoint = await write.Db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null) return Outcome.Missing;
            endpoint.Enabled = enabled;
            if (enabled) (endpoint.FailingSince, endpoint.DisabledReason) = (null, "");
            return Outcome.With(endpoint.Url);
        }, ct);

    /// <summary>Removes an endpoint with its deliveries.</summary>
    public async Task<Outcome> DeleteAsync(int id, CancellationToken ct) =>
        await writes.RunAsync(async write =>
        {
            var endpoint = await write.Db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null) return Outcome.Missing;
            write.Db.WebhookEndpoints.Remove(endpoint);
            return Outcome.With(endpoint.Url);
        }, ct);

    /// <summary>Sends a delivery again at the next sweep, whatever became of it.</summary>
    public async Task<Outcome> RedeliverAsync(long id, CancellationToken ct) =>
        await writes.RunAsync(async write =>
        {
            var delivery = await write.Db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id, ct);
            if (delivery is null) return Outcome.Missing;
            delivery.Status = WebhookDeliveryStatus.Pending;
            delivery.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
            return Outcome.Ok;
        }, ct);
}
