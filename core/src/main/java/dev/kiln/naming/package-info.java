/** Image names: the templates that render them and each cloud's rule for a valid, unique name. */
package dev.kiln.naming;
