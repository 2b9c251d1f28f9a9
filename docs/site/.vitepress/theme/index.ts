// The default theme with tg's styles for source pages and graphs.
import DefaultTheme from "vitepress/theme";
import "./style.css";

export default DefaultTheme;
