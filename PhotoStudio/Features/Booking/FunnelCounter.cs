using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Booking;

/// <summary>The booking wizard's steps as the funnel counts them.</summary>
public enum FunnelStep : short
{
    Service = 1,
    With = 2,
    When = 3,
    Details = 4,
    Review = 5,
    Confirmed = 6,
}

/// <summary>
/// Counts how often each step of the public booking wizard is reached, per studio-local day. One atomic upsert per
/// request (concurrent visitors never lose a count) and nothing about the visitor: no address, cookie, id or time.
/// </summary>
public class FunnelCounter(StudioDb db, TimeProvider clock, ILogger<FunnelCounter> log)
{
    public const int Steps = 6;

    public async Task CountAsync(FunnelStep step, CancellationToken ct)
    {
        try
        {
            // The day is the studio's local date of "now", worked out by PostgreSQL from the studio's zone in the
            // same statement; ON CONFLICT makes the increment atomic under concurrent requests.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO funnel_counts (day, step, count)
                SELECT ({clock.GetUtcNow().UtcDateTime} AT TIME ZONE s.time_zone)::date, {(short)step}, 1
                FROM studio_settings s
                ORDER BY s.id
                LIMIT 1
                ON CONFLICT (day, step) DO UPDATE SET count = funnel_counts.count + 1
                """, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A statistic must never cost a visitor their booking page.
            log.LogWarning(e, "Could not count booking funnel step {Step}", step);
        }
    }
}
