using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>The messages part of /admin/settings: sender, staff recipients, reminders, which messages go out, expiry, attempts.</summary>
public partial class SettingsTests
{
    [Fact]
    public async Task The_message_settings_are_saved_and_shown_again_as_typed()
    {
        var (client, form) = await SettingsFormAsync();
        Assert.Equal("24h, 2h", form.QuerySelector<IHtmlInputElement>("#ReminderOffsets")!.Value);
        // Every switchable message starts on; this post leaves the thank-you and the staff's new-booking message off.
        var on = NotificationKind.Switchable.Where(k => k is not (NotificationKind.ThankYou or NotificationKind.NewBooking)).ToList();
        foreach (var box in form.QuerySelectorAll<IHtmlInputElement>("input[name=MessagesOn]"))
            box.IsChecked = on.Contains(box.Value);

        var response = await client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["SenderName"] = "Lumen Bookings", ["SenderEmail"] = "bookings@lumen.example",
            ["StaffRecipients"] = "desk@lumen.example\r\n\r\n  Owner@Lumen.example \r\nowner@lumen.example\r\n",
            ["ReminderOffsets"] = "2h, 1d,30m", ["ExpirePendingAfterHours"] = "48", ["MaxSendAttempts"] = "3",
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var s = await SettingsAsync();
        Assert.Equal(("Lumen Bookings", "bookings@lumen.example", 48, 3), (s.SenderName, s.SenderEmail, s.ExpirePendingAfterHours, s.MaxSendAttempts));
        Assert.Equal(["desk@lumen.example", "Owner@Lumen.example"], s.StaffRecipients);
        Assert.Equal([1440, 120, 30], s.ReminderOffsetsMinutes);
        Assert.Equal([NotificationKind.ThankYou, NotificationKind.NewBooking], s.MessagesOff);
        await using (var db = app.NewDb())
            Assert.Contains(db.AuditEntries, e => e.EntityType == "StudioSettings" && e.Changes!.Contains("bookings@lumen.example"));

        var page = await client.GetDocumentAsync("/admin/settings");
        Assert.Equal("24h, 2h, 30m", page.QuerySelector<IHtmlInputElement>("#ReminderOffsets")!.Value);
        Assert.Equal("desk@lumen.example\nOwner@Lumen.example", page.QuerySelector<IHtmlTextAreaElement>("#StaffRecipients")!.Value);
        Assert.False(page.QuerySelector<IHtmlInputElement>("#MessagesOn-thank_you")!.IsChecked);
        Assert.True(page.QuerySelector<IHtmlInputElement>("#MessagesOn-reminder")!.IsChecked);

        // Empty reminders: none.
        response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#settings-form")!, new Dictionary<string, string> { ["ReminderOffsets"] = "" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Empty((await SettingsAsync()).ReminderOffsetsMinutes);
    }
}
