using System.Globalization;
using System.Text;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// An RFC 5545 calendar file for one session. Times are written in UTC ("Z"), which every calendar shows in
/// its own zone correctly; the UID is derived from the booking code, so a re-download updates, not duplicates.
/// </summary>
public static class CalendarFile
{
    public static string Write(BookingSummary booking, string location, DateTimeOffset stamp)
    {
        var sb = new StringBuilder();
        void Line(string text)
        {
            // Fold lines longer than 75 octets (RFC 5545 §3.1): CRLF followed by a space.
            var bytes = Encoding.UTF8.GetBytes(text);
            var start = 0;
            var first = true;
            while (start < bytes.Length)
            {
                var max = first ? 75 : 74;
                var length = Math.Min(max, bytes.Length - start);
                while (length > 0 && start + length < bytes.Length && (bytes[start + length] & 0xC0) == 0x80) length--; // never split a UTF-8 character
                sb.Append(first ? "" : " ").Append(Encoding.UTF8.GetString(bytes, start, length)).Append("\r\n");
                start += length;
                first = false;
            }
        }

        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//PhotoStudio//Booking//EN");
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        Line("BEGIN:VEVENT");
        Line($"UID:{booking.Code}@photostudio");
        Line($"DTSTAMP:{Utc(stamp)}");
        Line($"DTSTART:{Utc(booking.LocalStart)}");
        Line($"DTEND:{Utc(booking.LocalEnd)}");
        Line($"SUMMARY:{Escape($"{booking.Service} · {booking.StudioName}")}");
        Line($"LOCATION:{Escape(location)}");
        Line($"DESCRIPTION:{Escape($"Booking {booking.Code}. Room: {booking.Room}." + (booking.Photographer is null ? "" : $" Photographer: {booking.Photographer}."))}");
        Line(booking.Status is Data.BookingStatus.Cancelled or Data.BookingStatus.NoShow ? "STATUS:CANCELLED"
            : booking.Status == Data.BookingStatus.Pending ? "STATUS:TENTATIVE" : "STATUS:CONFIRMED");
        Line("END:VEVENT");
        Line("END:VCALENDAR");
        return sb.ToString();
    }

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\n", "\\n");
}
