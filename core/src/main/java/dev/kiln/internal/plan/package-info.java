/** Reading, checking and expanding plan files into build plans, with messages that name what is wrong. Not exported. */
package dev.kiln.internal.plan;
