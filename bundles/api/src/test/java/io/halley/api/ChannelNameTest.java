package io.halley.api;

import org.junit.Test;

import static org.junit.Assert.assertEquals;

public class ChannelNameTest {

    private static void match(boolean expected, String pattern, String channel) {
        assertEquals(pattern + " ~ " + channel, expected, ChannelName.matches(pattern, channel));
    }

    @Test
    public void wildcardsFollowTheBrokersRules() {
        match(true, "demo.news", "demo.news");
        match(false, "demo.news", "demo.new");
        match(false, "demo.new", "demo.news");
        match(false, "demo.news", "demo.news.eu");
        match(false, "demo.news.eu", "demo.news");
        match(true, "demo.*", "demo.news");
        match(false, "demo.*", "demo.news.eu");
        match(false, "demo.*", "demo");
        match(true, "*.news", "demo.news");
        match(true, "*", "demo");
        match(false, "*", "demo.news");
        match(true, "demo.>", "demo.news");
        match(true, "demo.>", "demo.news.eu");
        match(false, "demo.>", "demo");
        match(false, "demo.>", "other.news");
        match(true, ">", "demo");
        match(true, "demo.*.eu", "demo.news.eu");
        match(false, "demo.*.eu", "demo.news.us");
    }
}
