package io.halley.console.internal;

/** A view that shows live figures: called at every refresh of its page. */
interface Refreshable {

    void refresh();
}
