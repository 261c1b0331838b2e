# Minimal JSON writer for the fixture scripts (base R only, no jsonlite needed).
json_str <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  paste0("\"", s, "\"")
}
json_num <- function(x) {
  if (is.na(x) || !is.finite(x)) return("null")
  sprintf("%.15g", x)
}
to_json <- function(x) {
  if (is.matrix(x)) {
    return(to_json(list(rows = rownames(x), cols = colnames(x),
                        values = lapply(seq_len(nrow(x)), function(i) as.numeric(x[i, ])))))
  }
  if (is.data.frame(x)) {
    rows <- lapply(seq_len(nrow(x)), function(i) as.list(x[i, , drop = FALSE]))
    return(paste0("[", paste(vapply(rows, to_json, ""), collapse = ",\n "), "]"))
  }
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- mapply(function(k, v) paste0(json_str(k), ": ", to_json(v)), names(x), x)
      return(paste0("{", paste(parts, collapse = ",\n "), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ", "), "]"))
  }
  if (length(x) != 1L) return(to_json(as.list(unname(x))))
  if (is.character(x) || is.factor(x)) return(json_str(as.character(x)))
  if (is.logical(x)) return(if (is.na(x)) "null" else tolower(as.character(x)))
  json_num(as.numeric(x))
}
write_json_file <- function(obj, path) {
  writeLines(to_json(obj), path)
  cat("wrote", path, "\n")
}
