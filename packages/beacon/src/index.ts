/**
 * @discret/beacon is not implemented yet: it is reserved so that the workspace has its final shape.
 * See the package README for what it will hold.
 */
export const NOT_YET_IMPLEMENTED = true as const;
