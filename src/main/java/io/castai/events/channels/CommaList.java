package io.castai.events.channels;

import java.util.ArrayList;
import java.util.List;

/**
 * A comma-separated text's items, trimmed, empty ones left out; a comma inside double quotes
 * is part of its item, as in a mail address's display name ({@code "Ops, Team" <ops@x>}).
 */
final class CommaList {
    private CommaList() {
    }

    static List<String> split(String text) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' && !quoted) {
                add(items, item);
                continue;
            }
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            item.append(c);
        }
        add(items, item);
        return List.copyOf(items);
    }

    private static void add(List<String> items, StringBuilder item) {
        String trimmed = item.toString().trim();
        if (!trimmed.isEmpty()) {
            items.add(trimmed);
        }
        item.setLength(0);
    }
}
