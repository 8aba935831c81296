using Microsoft.Playwright;

namespace PhotoStudio.Tests.Browser;

/// <summary>Checks of how a page sits on the phone viewport, shared by the browser tests.</summary>
public static class PhoneLayout
{
    /// <summary>Nothing may be wider than the phone; on failure, names the elements that stick out.</summary>
    public static async Task AssertNoHorizontalScrollAsync(this IPage page, string state)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        if (width <= PhonePage.Width) return;
        var culprits = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .slice(0, 10)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`)
            """);
        Assert.Fail($"{page.Url} ({state}) scrolls sideways: scrollWidth {width} px > {PhonePage.Width} px. Too wide:\n" +
            string.Join("\n", culprits));
    }
}
