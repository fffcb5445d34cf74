package io.castai.events.channels;

/**
 * A text cut to a receiver's length limit, with a marker saying so. The cut never falls inside
 * a character written as two UTF-16 units (an emoji, say): half of one is no character, and
 * reaches the receiver as {@code ?}.
 */
public final class Shortened {
    private Shortened() {
    }

    /**
     * The text as it is when it fits in {@code max} units, else cut so that it and the marker do
     * (with a {@code max} under the marker's length, the marker alone).
     */
    public static String to(String text, int max, String marker) {
        if (text.length() <= max) {
            return text;
        }
        int end = Math.max(0, max - marker.length());
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + marker;
    }
}
