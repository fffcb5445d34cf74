package io.castai.events.channels;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A template's output, refused once it grows past a length (so a runaway template cannot fill the
 * heap): a first bound, then, asked for only when the text reaches it, a larger one (what a large
 * event may legitimately need). A long string written whole (the webhook template's
 * {@code ${eventJson}}) is kept as it is, not copied: a 1 MB event's message had cost a builder
 * grown to twice its length, its copy, and a third trimmed, for each channel; now the text
 * {@link #trimmed} gives is that very string when the template wrote nothing else but blanks.
 */
final class BoundedText extends Writer {
    /** The output went past its bound; what was written so far is dropped. */
    static final class TooLong extends IOException {
        private final int maxChars;

        TooLong(int maxChars) {
            super("longer than " + maxChars + " characters");
            this.maxChars = maxChars;
        }

        int maxChars() {
            return maxChars;
        }
    }

    /** A string written at least this long is kept as a piece of its own. */
    private static final int PIECE = 8192;

    private final List<String> pieces = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private long length;
    private int maxChars;
    private IntSupplier largerBound;

    BoundedText(int maxChars, IntSupplier largerBound) {
        this.maxChars = maxChars;
        this.largerBound = largerBound;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        makeRoom(length);
        text.append(chars, offset, length);
        this.length += length;
    }

    @Override
    public void write(String string, int offset, int length) throws IOException {
        makeRoom(length);
        if (length >= PIECE) {
            endPiece();
            pieces.add(offset == 0 && length == string.length() ? string : string.substring(offset, offset + length));
        } else {
            text.append(string, offset, offset + length);
        }
        this.length += length;
    }

    private void endPiece() {
        if (!text.isEmpty()) {
            pieces.add(text.toString());
            text.setLength(0);
        }
    }

    private void makeRoom(int length) throws TooLong {
        if (this.length + length <= maxChars) {
            return;
        }
        if (largerBound != null) {
            maxChars = Math.max(maxChars, largerBound.getAsInt());
            largerBound = null;
            if (this.length + length <= maxChars) {
                return;
            }
        }
        pieces.clear();
        text.setLength(0);
        text.trimToSize();
        this.length = 0;
        throw new TooLong(maxChars);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** The text without its leading and trailing blanks (as {@link String#trim}), copied once at most. */
    String trimmed() {
        endPiece();
        List<String> kept = new ArrayList<>(pieces);
        while (!kept.isEmpty() && blank(kept.get(0))) {
            kept.remove(0);
        }
        while (!kept.isEmpty() && blank(kept.get(kept.size() - 1))) {
            kept.remove(kept.size() - 1);
        }
        if (kept.isEmpty()) {
            return "";
        }
        kept.set(0, stripLeading(kept.get(0)));
        kept.set(kept.size() - 1, stripTrailing(kept.get(kept.size() - 1)));
        return kept.size() == 1 ? kept.get(0) : String.join("", kept);
    }

    private static boolean blank(String piece) {
        for (int i = 0; i < piece.length(); i++) {
            if (piece.charAt(i) > ' ') {
                return false;
            }
        }
        return true;
    }

    /** What {@link String#trim} removes at the start (characters up to U+0020), the string itself when none. */
    private static String stripLeading(String piece) {
        int start = 0;
        while (start < piece.length() && piece.charAt(start) <= ' ') {
            start++;
        }
        return piece.substring(start);
    }

    private static String stripTrailing(String piece) {
        int end = piece.length();
        while (end > 0 && piece.charAt(end - 1) <= ' ') {
            end--;
        }
        return piece.substring(0, end);
    }

    @Override
    public String toString() {
        endPiece();
        return String.join("", pieces);
    }
}
